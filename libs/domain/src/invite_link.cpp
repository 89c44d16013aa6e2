#include "invite/domain/invite_link.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#include <string>
#include <utility>

#include "invite/common/crypto.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"

namespace invite::domain {
namespace {

using common::base64url;
using common::Digest;
using common::hmac_sha256;
using common::url_encode;

constexpr std::size_t kIvSize = common::kGcmIvSize;
constexpr std::size_t kTagSize = common::kGcmTagSize;
// Clocks of the worker that signs and of the service that checks may disagree a little.
constexpr std::int64_t kAllowedClockSkewMs = std::int64_t{5} * 60 * 1000;

Digest encemail_key(std::string_view secret) {
  thread_local std::pair<std::string, Digest> last;  // (secret, key): one secret per process in practice
  if (last.first != secret || last.first.empty()) {
    last = {std::string(secret), common::sha256("encemail|" + std::string(secret))};
  }
  return last.second;
}

// Derived from the e-mail rather than random: the link stays a pure function of its inputs, and distinct
// e-mails still get distinct nonces.
std::array<unsigned char, kIvSize> encemail_iv(std::string_view lower_email, std::string_view secret) {
  const auto mac = hmac_sha256(secret, "iv|" + std::string(lower_email));
  std::array<unsigned char, kIvSize> iv{};
  std::memcpy(iv.data(), mac.data(), kIvSize);
  return iv;
}

std::string encrypt_email(std::string_view lower_email, std::string_view secret) {
  return base64url(common::aes256gcm_seal(encemail_key(secret), encemail_iv(lower_email, secret), lower_email));
}

std::string key_hash(std::string_view lower_email, EmployeeType type, std::string_view portal_host, std::int64_t ms,
                     std::string_view secret) {
  std::string message(lower_email);
  message += "|LinkInvite|";
  message += std::to_string(static_cast<int>(type));
  message += '|';
  message += common::ascii_lower(portal_host);  // as the portal directory stores hosts
  message += '|';
  message += std::to_string(ms);
  const auto mac = hmac_sha256(secret, message);
  return base64url(mac);
}

}  // namespace

std::string invite_link(const Portal& portal, const InviteLinkInput& input, std::string_view secret) {
  const auto email = normalize_email(input.email);
  const auto key =
      std::to_string(input.created_at_ms) + "." + key_hash(email, input.type, portal.host, input.created_at_ms, secret);
  std::string link = portal.base_url;
  link += "/confirm/LinkInvite?type=LinkInvite&key=";
  link += url_encode(key);
  link += "&encemail=";
  link += url_encode(encrypt_email(email, secret));
  link += "&uid=";
  link += url_encode(input.inviter_id);
  link += "&emplType=";
  link += std::to_string(static_cast<int>(input.type));
  link += "&culture=";
  link += url_encode(input.culture);
  return link;
}

LinkCheck check_invite_key(std::string_view key, std::string_view email, EmployeeType type,
                           std::string_view portal_host, std::int64_t now_ms, std::string_view secret,
                           std::chrono::milliseconds validity) {
  const auto dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0) return LinkCheck::Invalid;
  const auto ms_text = key.substr(0, dot);
  const auto hash = key.substr(dot + 1);
  std::int64_t ms = 0;
  const auto [end, error] = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
  // Only the canonical spelling was signed: no sign, no leading zeros, nothing after the digits.
  if (error != std::errc{} || end != ms_text.data() + ms_text.size() || ms < 0 || std::to_string(ms) != ms_text) {
    return LinkCheck::Invalid;
  }
  const auto expected = key_hash(normalize_email(email), type, portal_host, ms, secret);
  if (!common::constant_time_equal(hash, expected)) return LinkCheck::Invalid;
  // Unsigned differences: both operands are in range and the true difference is positive, so no overflow.
  if (ms > now_ms && static_cast<std::uint64_t>(ms) - static_cast<std::uint64_t>(now_ms) >
                         static_cast<std::uint64_t>(kAllowedClockSkewMs)) {
    return LinkCheck::Invalid;
  }
  if (now_ms > ms && static_cast<std::uint64_t>(now_ms) - static_cast<std::uint64_t>(ms) >
                         static_cast<std::uint64_t>(validity.count())) {
    return LinkCheck::Expired;
  }
  return LinkCheck::Valid;
}

std::optional<std::string> decrypt_encemail(std::string_view encemail, std::string_view secret) {
  const auto data = common::base64url_decode(encemail);
  if (!data || data->size() <= kIvSize + kTagSize) return std::nullopt;
  // nullopt for a wrong tag: forged, corrupt, or sealed with another secret
  return common::aes256gcm_open(encemail_key(secret), *data);
}

}  // namespace invite::domain
