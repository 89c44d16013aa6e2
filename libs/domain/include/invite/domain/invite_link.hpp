#pragma once
// The confirmation link of an invitation e-mail, in DocSpace's format:
// <baseUrl>/confirm/LinkInvite?type=LinkInvite&key=<ms>.<HASH>&encemail=<E>&uid=<inviter>&emplType=<n>&culture=<c>
// key: <ms> is the creation time (ms since epoch); HASH = base64url(HMAC-SHA256(secret,
//   lower(email) + "|LinkInvite|" + emplType number + "|" + portal host + "|" + ms)), no padding.
// encemail: base64url(iv || AES-256-GCM(lower(email)) || tag), key = SHA-256("encemail|" + secret),
//   iv = first 12 bytes of HMAC-SHA256(secret, "iv|" + lower(email)) so the link is a pure function of its inputs.
// Values are URL-encoded.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "invite/domain/portal.hpp"
#include "invite/domain/types.hpp"

namespace invite::domain {

inline constexpr std::chrono::milliseconds kInviteLinkValidity = std::chrono::hours(24 * 7);

struct InviteLinkInput {
  std::string_view email;
  EmployeeType type;
  std::string_view inviter_id;
  std::string_view culture;
  std::int64_t created_at_ms;
};

std::string invite_link(const Portal& portal, const InviteLinkInput& input, std::string_view secret);

enum class LinkCheck { Valid, Expired, Invalid };
// Checks a link's `key` parameter for the given e-mail, type and portal at time now_ms.
LinkCheck check_invite_key(std::string_view key, std::string_view email, EmployeeType type,
                           std::string_view portal_host, std::int64_t now_ms, std::string_view secret,
                           std::chrono::milliseconds validity = kInviteLinkValidity);
// Recovers the lower-case e-mail from an `encemail` value (URL-decoded); nullopt when forged or corrupt.
std::optional<std::string> decrypt_encemail(std::string_view encemail, std::string_view secret);

}  // namespace invite::domain
