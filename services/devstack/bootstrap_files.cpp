#include "bootstrap_files.hpp"

#include "invite/common/files.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/portal.hpp"
#include "invite/runtime/portals_file.hpp"

namespace invite::devstack {
namespace {

namespace fs = std::filesystem;
using common::log_error;
using common::log_info;

std::string generated_portals(const std::string& portal, const std::string& port) {
  domain::Portal entry;
  entry.host = portal;
  entry.display_name = "Local DocSpace";
  entry.base_url = "http://" + portal + ":" + port;
  entry.default_culture = "en-US";
  entry.paid_seats = std::nullopt;
  entry.allow_inviting_members = true;
  entry.daily_invitation_budget = std::nullopt;
  return runtime::portals_file_json(domain::PortalDirectory({entry}));
}

// The port an existing portals file was generated for, when the file is still exactly as we wrote it.
std::optional<std::string> untouched_generated_port(const std::string& content, const std::string& portal) {
  auto parsed = runtime::parse_portals_file(content);
  if (!parsed || parsed->portals().size() != 1) return std::nullopt;
  const std::string prefix = "http://" + portal + ":";
  const std::string& base_url = parsed->portals().front().base_url;
  if (!base_url.starts_with(prefix)) return std::nullopt;
  const std::string port = base_url.substr(prefix.size());
  if (common::trim(generated_portals(portal, port)) != common::trim(content)) return std::nullopt;
  return port;
}

}  // namespace

common::Result<std::string> ensure_secret(const fs::path& path) {
  if (fs::exists(path)) {
    auto secret = common::read_secret(path);
    if (!secret) log_error("cannot read secret", {{"file", path.string()}, {"error", secret.error().message}});
    return secret;
  }
  std::string secret = common::random_hex(32);
  if (auto written = common::write_file_atomic(path, secret, 0600); !written) {
    log_error("cannot write secret", {{"file", path.string()}, {"error", written.error().message}});
    return written.error();
  }
  log_info("generated secret", {{"file", path.string()}});
  return secret;
}

common::Result<> ensure_portals_file(const fs::path& path, const std::string& portal, unsigned short port) {
  const std::string wanted = generated_portals(portal, std::to_string(port));
  if (fs::exists(path)) {
    const auto content = common::read_file(path);
    const auto old_port = content ? untouched_generated_port(*content, portal) : std::nullopt;
    if (!old_port || *old_port == std::to_string(port)) {
      log_info("using existing portals file", {{"file", path.string()}});
      return {};
    }
    log_info("updating the port in the generated portals file",
             {{"file", path.string()}, {"from", *old_port}, {"to", std::to_string(port)}});
  }
  if (auto written = common::write_file_atomic(path, wanted, 0644); !written) {
    log_error("cannot write portals file", {{"file", path.string()}, {"error", written.error().message}});
    return written;
  }
  log_info("wrote portals file", {{"file", path.string()}, {"portal", portal}});
  return {};
}

}  // namespace invite::devstack
