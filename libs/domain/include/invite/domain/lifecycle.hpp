#pragma once
// The invitation's life after the e-mail: checking a confirmation link (POST /api/2.0/authentication/confirm) and
// deciding an accept (POST /api/2.0/people with fromInviteLink). Pure rules; the gateway words and shapes them.
// docs/architecture.md, "The invitation's life (issue 13): rules", says where each rule comes from.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "invite/domain/invite_link.hpp"
#include "invite/domain/types.hpp"

namespace invite::domain {

// DocSpace's numbers; 3 (TariffLimit), 5 (UserExcluded) and 6 (QuotaFailed) never concern an invitation link.
enum class ValidationResult : int { Ok = 0, Invalid = 1, Expired = 2, UserExisted = 4 };

// The values a confirmation link carries, as the confirm body (or the accept's `confirm` header) gave them.
struct LinkValues {
  std::string key;                        // "<ms>.<hash>"
  std::optional<std::string> email;       // plain `email`; wins over encemail when both are sent
  std::optional<std::string> encemail;    // as in the link, URL-decoded
  std::optional<EmployeeType> type;       // emplType
  std::optional<std::string> inviter_id;  // uid

  bool operator==(const LinkValues&) const = default;
};

// The lower-case e-mail the link is for: `email` when present, else the decrypted `encemail`; nullopt when neither
// yields one (a forged encemail included). The worker looks the user up by it.
std::optional<std::string> link_email(const LinkValues& link, std::string_view secret);

// What the store knows of the link's user: the user and the newest link issued for it (its `ms`, and the inviter
// it named). A key with another ms is an older link (a resend replaced it) and checks Invalid.
struct LinkedUser {
  User user;
  std::int64_t current_link_ms = 0;
  std::string current_link_inviter_id;  // empty: not recorded, uid is not compared
};

struct ConfirmContext {
  std::string_view portal_host;
  std::int64_t now_ms = 0;
  std::string_view secret;
  std::chrono::milliseconds link_lifetime = kInviteLinkValidity;  // the portal's, default 7 days
};

struct ConfirmOutcome {
  ValidationResult result = ValidationResult::Invalid;
  std::string email;  // the user's e-mail, only when Ok

  bool operator==(const ConfirmOutcome&) const = default;
};

// DocSpace's order of checks: no e-mail, no type, bad key format or hash -> Invalid; older than the lifetime ->
// Expired; user unknown (deleted included) or disabled -> Invalid; key not the user's newest link, or uid not its
// inviter -> Invalid; already activated -> UserExisted; else Ok. Checking never changes anything: opening a link
// (a mail scanner does) does not consume it.
ConfirmOutcome check_confirm(const LinkValues& link, const std::optional<LinkedUser>& stored,
                             const ConfirmContext& context);

// Still waiting for its invitation to be accepted: status Pending and not activated.
bool is_pending(const User& user);

// The accept, decided from what is known once the link was checked. The gateway answers 200 for Accept,
// 401 for LinkInvalid / LinkExpired, 403 for the others.
enum class AcceptOutcome { Accept, LinkInvalid, LinkExpired, BodyMismatch, NotPending, InvitationsNotAllowed };

struct AcceptFacts {
  ValidationResult link = ValidationResult::Invalid;  // check_confirm's result for the `confirm` header
  bool body_matches_link = false;                     // accept_body_matches_link()
  const User* user = nullptr;                         // the link's user, when found
  bool allow_inviting_members = true;                 // the portal's setting
};

// Order: the link first (it is the only authorisation: 401 says nothing else), then the body against the link,
// then the portal's setting, then the user's state (a second accept, or an accept racing a revoke, is NotPending).
AcceptOutcome decide_accept(const AcceptFacts& facts);

// The accept body's email, type and key against the signed link's: e-mail compared case-insensitively, the key
// exactly, the type as the number the link was signed with.
struct AcceptClaims {
  std::string_view email;
  std::optional<EmployeeType> type;
  std::string_view key;
};
bool accept_body_matches_link(const AcceptClaims& body, const LinkValues& link, std::string_view link_email);

// What an accept changes on the pending user (names already checked by check_name, trimmed here).
struct Activation {
  std::string first_name;
  std::string last_name;
  std::string culture;  // empty: the user's culture is kept
};
User activate(User user, const Activation& activation);

}  // namespace invite::domain
