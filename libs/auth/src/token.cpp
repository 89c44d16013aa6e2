#include "invite/auth/token.hpp"

#include <jwt/jwt.hpp>
#include <nlohmann/json.hpp>

#include <array>
#include <cassert>
#include <cmath>
#include <limits>

#include "invite/common/crypto.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"

namespace invite::auth {
namespace {

using common::trim;

constexpr std::string_view kAlgorithm = "HS256";

// header.payload.signature. cpp-jwt's base64 decoder indexes a table with raw bytes, so anything outside the
// base64url alphabet is rejected here before it gets there. The signature may be empty ("alg":"none" tokens
// look like that): those are refused as a signature problem, not as garbage.
std::optional<std::array<std::string_view, 3>> split_token(std::string_view token) {
  const auto first = token.find('.');
  if (first == std::string_view::npos) return std::nullopt;
  const auto second = token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos) return std::nullopt;
  std::array<std::string_view, 3> parts{token.substr(0, first), token.substr(first + 1, second - first - 1),
                                        token.substr(second + 1)};
  if (parts[0].empty() || parts[1].empty()) return std::nullopt;
  for (auto part : parts) {
    if (!common::is_base64url(part)) return std::nullopt;
  }
  return parts;
}

// Compares in constant time, so a forger learns nothing from response timing.
bool signature_matches(std::string_view signing_input, std::string_view signature, std::string_view secret) {
  return common::constant_time_equal(common::base64url(common::hmac_sha256(secret, signing_input)), signature);
}

// NumericDate (RFC 7519) may carry a fraction; seconds are all we keep.
std::optional<std::int64_t> numeric_date(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end()) return std::nullopt;
  if (it->is_number_integer()) return it->get<std::int64_t>();
  if (it->is_number_unsigned()) {
    const auto v = it->get<std::uint64_t>();
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return std::nullopt;
    return static_cast<std::int64_t>(v);
  }
  if (it->is_number_float()) {
    const double v = it->get<double>();
    if (!std::isfinite(v) || std::fabs(v) > 9e15) return std::nullopt;
    return static_cast<std::int64_t>(std::floor(v));
  }
  return std::nullopt;
}

std::optional<std::string> string_claim(const nlohmann::json& payload, const char* name) {
  const auto it = payload.find(name);
  if (it == payload.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

// Cookie values may be sent quoted (RFC 6265 cookie-value allows DQUOTE around it).
std::string_view unquote(std::string_view value) {
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') return value.substr(1, value.size() - 2);
  return value;
}

std::optional<std::string_view> cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const auto semi = header.find(';');
    const auto pair = trim(header.substr(0, semi));
    const auto eq = pair.find('=');
    if (eq != std::string_view::npos && trim(pair.substr(0, eq)) == name) {
      const auto value = unquote(trim(pair.substr(eq + 1)));
      if (!value.empty()) return value;
    }
    if (semi == std::string_view::npos) break;
    header.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

}  // namespace

std::string_view describe(TokenError error) {
  switch (error) {
    case TokenError::Missing:
      return "no token: send the asc_auth_key cookie or an Authorization header";
    case TokenError::Malformed:
      return "the token is not a well-formed JWT";
    case TokenError::BadSignature:
      return "the token's signature is invalid";
    case TokenError::Expired:
      return "the token has expired";
    case TokenError::NotYetValid:
      return "the token is not valid yet";
    case TokenError::WrongPortal:
      return "the token was issued for another portal";
    case TokenError::BadClaims:
      return "the token's claims are missing or invalid";
  }
  return "invalid token";
}

namespace detail {

boost::system::result<SignedClaims, TokenError> decode_signed(std::string_view token, std::string_view secret) {
  if (token.empty()) return TokenError::Missing;
  const auto parts = split_token(token);
  if (!parts) return TokenError::Malformed;

  nlohmann::json header;
  nlohmann::json payload;
  try {
    // verify(false): cpp-jwt would check exp against the wall clock, but the caller's now_s is the clock here;
    // the algorithm and signature are checked below instead.
    std::error_code ec;
    auto object = jwt::decode(jwt::string_view(token.data(), token.size()), jwt::params::algorithms({"HS256"}), ec,
                              jwt::params::verify(false));
    if (ec) return TokenError::Malformed;
    header = object.header().create_json_obj();
    payload = object.payload().create_json_obj();
  } catch (const std::exception&) {
    // Headers like {"alg":5} or payloads that are JSON arrays make cpp-jwt throw rather than report.
    return TokenError::Malformed;
  }
  if (!header.is_object() || !payload.is_object()) return TokenError::Malformed;

  // Exactly "HS256": cpp-jwt matches algorithm names case-insensitively, RFC 7515 does not.
  const auto alg = header.find("alg");
  if (alg == header.end() || !alg->is_string() || alg->get<std::string>() != kAlgorithm) {
    return TokenError::BadSignature;
  }
  if (secret.empty()) return TokenError::BadSignature;
  const std::string_view signing_input = token.substr(0, (*parts)[0].size() + 1 + (*parts)[1].size());
  if (!signature_matches(signing_input, (*parts)[2], secret)) return TokenError::BadSignature;

  const auto iat = numeric_date(payload, "iat");
  const auto exp = numeric_date(payload, "exp");
  auto sub = string_claim(payload, "sub");
  auto claimed_portal = string_claim(payload, "portal");
  auto role_name = string_claim(payload, "role");
  if (!iat || !exp || !sub || !claimed_portal || !role_name) return TokenError::BadClaims;
  const auto nbf = numeric_date(payload, "nbf");
  if (!nbf && payload.contains("nbf")) return TokenError::BadClaims;
  return SignedClaims{*iat, *exp, nbf, std::move(*sub), std::move(*claimed_portal), std::move(*role_name)};
}

boost::system::result<Claims, TokenError> check_claims(const SignedClaims& signed_claims, std::string_view portal,
                                                       std::int64_t now_s) {
  const auto& c = signed_claims;
  if (c.expires_at <= now_s) return TokenError::Expired;
  // A token from the future was issued by a clock far ahead, or forged with a long life in mind.
  if (c.issued_at > now_s + kClockSkewS || (c.not_before && *c.not_before > now_s + kClockSkewS)) {
    return TokenError::NotYetValid;
  }
  if (c.portal != portal) return TokenError::WrongPortal;
  if (!common::is_uuid(c.subject)) return TokenError::BadClaims;
  const auto role = domain::role_from_name(c.role);
  if (!role) return TokenError::BadClaims;

  Claims claims;
  claims.user_id = c.subject;
  claims.portal = c.portal;
  claims.role = *role;
  claims.issued_at = c.issued_at;
  claims.expires_at = c.expires_at;
  return claims;
}

}  // namespace detail

boost::system::result<Claims, TokenError> verify_token(std::string_view token, std::string_view secret,
                                                       std::string_view portal, std::int64_t now_s) {
  auto signed_claims = detail::decode_signed(token, secret);
  if (!signed_claims) return signed_claims.error();
  return detail::check_claims(*signed_claims, portal, now_s);
}

VerifiedTokens::VerifiedTokens(std::size_t capacity) : capacity_(capacity) { assert(capacity_ > 0); }

boost::system::result<Claims, TokenError> VerifiedTokens::verify(std::string_view token, std::string_view secret,
                                                                 std::string_view portal, std::int64_t now_s) {
  {
    std::lock_guard lock(mu_);
    if (secret != secret_) {  // another secret: nothing verified under the old one counts
      entries_.clear();
      secret_ = std::string(secret);
    }
    const auto found = entries_.find(token);
    if (found != entries_.end()) return detail::check_claims(found->second, portal, now_s);
  }
  // Decoded outside the lock: concurrent requests with new tokens do not wait for each other.
  auto signed_claims = detail::decode_signed(token, secret);
  if (!signed_claims) return signed_claims.error();
  auto claims = detail::check_claims(*signed_claims, portal, now_s);
  std::lock_guard lock(mu_);
  if (secret == secret_) {
    if (entries_.size() >= capacity_) entries_.clear();  // simplest bound; a busy gateway refills it in a moment
    entries_.emplace(std::string(token), std::move(*signed_claims));
  }
  return claims;
}

std::size_t VerifiedTokens::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

std::string issue_token(const Claims& claims, std::string_view secret) {
  jwt::jwt_object object{jwt::params::algorithm("HS256"),
                         jwt::params::secret(jwt::string_view(secret.data(), secret.size()))};
  object.add_claim("sub", claims.user_id);
  object.add_claim("portal", claims.portal);
  object.add_claim("role", std::string(domain::to_string(claims.role)));
  object.add_claim("iat", claims.issued_at);
  object.add_claim("exp", claims.expires_at);
  std::error_code ec;
  std::string token = object.signature(ec);
  // HMAC-SHA256 over an in-memory string only fails when OpenSSL itself is broken.
  assert(!ec);
  return ec ? std::string() : token;
}

std::optional<ExtractedToken> extract_token(std::string_view cookie_header, std::string_view authorization_header) {
  if (const auto cookie = cookie_value(cookie_header, kAuthCookie)) {
    return ExtractedToken{std::string(*cookie), true};
  }
  std::string_view value = trim(authorization_header);
  constexpr std::string_view kBearer = "bearer";
  if (value.size() >= kBearer.size() && common::iequals(value.substr(0, kBearer.size()), kBearer) &&
      (value.size() == kBearer.size() || value[kBearer.size()] == ' ' || value[kBearer.size()] == '\t')) {
    value = trim(value.substr(kBearer.size()));
  }
  // DocSpace also accepts the bare token in Authorization, without a scheme.
  if (value.empty()) return std::nullopt;
  return ExtractedToken{std::string(value), false};
}

}  // namespace invite::auth
