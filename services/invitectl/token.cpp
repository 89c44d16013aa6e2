#include <iostream>

#include "commands.hpp"
#include "invite/auth/token.hpp"
#include "invite/common/files.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/types.hpp"

namespace invite::invitectl {

void add_token_flags(runtime::Cli& cli, TokenOptions& o) {
  cli.text("portal", o.portal, "", "portal host the token is valid for (required)", true);
  cli.text("role", o.role, "", "Owner, DocSpaceAdmin, RoomAdmin, User or Guest (required)", true);
  cli.text("user-id", o.user_id, "", "the caller's user id (uuid); a new random one when empty");
  // Token times have whole-second precision: anything shorter would be expired on arrival.
  cli.duration("ttl", o.ttl, "24h", "lifetime, e.g. 15m, 24h, 7d", std::chrono::seconds(1));
  cli.text("secret-file", o.secret_file, "",
           "file holding the gateway's token secret (required unless --token-secret-file)");
  // The gateway's own flag name, so INVITE_TOKEN_SECRET_FILE set for a gateway works here too.
  cli.text("token-secret-file", o.token_secret_file, "", "same as --secret-file; used when --secret-file is empty");
}

int run_token(const runtime::Cli& cli, const TokenOptions& o) {
  const std::string& secret_file = o.secret_file.empty() ? o.token_secret_file : o.secret_file;
  if (secret_file.empty()) return cli.usage_error("--secret-file is required");
  const auto role = domain::role_from_name(o.role);
  if (!role) {
    std::cerr << "invitectl: unknown role '" << o.role << "' (one of Owner, DocSpaceAdmin, RoomAdmin, User, Guest)\n";
    return kUsage;
  }
  std::string user_id = o.user_id;
  if (user_id.empty()) {
    user_id = common::new_uuid();
  } else if (!common::is_uuid(user_id)) {
    std::cerr << "invitectl: --user-id must be a uuid, got '" << user_id << "'\n";
    return kUsage;
  }
  const auto secret = common::read_secret(secret_file);
  if (!secret) {
    std::cerr << "invitectl: cannot read token secret: " << secret.error().message << "\n";
    return kUsage;
  }

  auth::Claims claims;
  claims.user_id = common::ascii_lower(user_id);
  claims.portal = common::ascii_lower(o.portal);
  claims.role = *role;
  claims.issued_at = common::now_ms() / 1000;
  claims.expires_at = claims.issued_at + std::chrono::duration_cast<std::chrono::seconds>(o.ttl).count();
  std::cout << auth::issue_token(claims, *secret) << "\n";
  return kOk;
}

}  // namespace invite::invitectl
