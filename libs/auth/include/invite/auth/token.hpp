#pragma once
// Session tokens: JWT, HS256 only, claims sub (uuid), portal, role, iat, exp. Built on cpp-jwt.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/system/result.hpp>

#include "invite/domain/types.hpp"

namespace invite::auth {

struct Claims {
  std::string user_id;  // "sub"
  std::string portal;   // portal host
  domain::Role role = domain::Role::User;
  std::int64_t issued_at = 0;   // "iat", seconds since epoch
  std::int64_t expires_at = 0;  // "exp", seconds since epoch
};

enum class TokenError {
  Missing,       // no token in the request
  Malformed,     // not a JWT, or a header/payload that is not JSON
  BadSignature,  // signature mismatch, or any algorithm but HS256 (including "none")
  Expired,       // exp <= now
  NotYetValid,   // nbf or iat later than now (beyond kClockSkewS)
  WrongPortal,   // token issued for another portal
  BadClaims,     // sub not a uuid, unknown role, iat/exp missing, nbf not a date
};
// Clocks of the token's issuer and of this service may disagree by this much (seconds) for nbf and iat.
inline constexpr std::int64_t kClockSkewS = 60;
std::string_view describe(TokenError error);  // human text for logs and 401 bodies

// now_s: seconds since epoch. The portal must match the claim exactly (lower-case hosts). The error is typed: the
// gateway answers every kind with 401 but words each one (describe), and tests tell them apart.
boost::system::result<Claims, TokenError> verify_token(std::string_view token, std::string_view secret,
                                                       std::string_view portal, std::int64_t now_s);
std::string issue_token(const Claims& claims, std::string_view secret);

namespace detail {
// What verify_token knows once the signature is good and the claims are present: everything that depends on the
// token and the secret alone. check_claims then applies the clock, the portal, and the claims' syntax, in
// verify_token's order, so that a remembered token answers exactly what verify_token would.
struct SignedClaims {
  std::int64_t issued_at = 0;
  std::int64_t expires_at = 0;
  std::optional<std::int64_t> not_before;
  std::string subject;
  std::string portal;
  std::string role;
};
boost::system::result<SignedClaims, TokenError> decode_signed(std::string_view token, std::string_view secret);
boost::system::result<Claims, TokenError> check_claims(const SignedClaims& signed_claims, std::string_view portal,
                                                       std::int64_t now_s);
}  // namespace detail

// verify_token for a gateway: a client sends the same token with every request, and decoding it (cpp-jwt builds
// two JSON trees, then the HMAC) was a seventh of the gateway's CPU for one-invitation requests. Tokens whose
// signature and claims passed are remembered by their exact text, under the secret they were checked with; the
// clock, the portal and the claims' syntax are checked on every call, so a remembered token still expires on time.
// Refused tokens are never remembered. At most `capacity` tokens, emptied when full. Thread-safe.
class VerifiedTokens {
 public:
  explicit VerifiedTokens(std::size_t capacity = 4096);
  boost::system::result<Claims, TokenError> verify(std::string_view token, std::string_view secret,
                                                   std::string_view portal, std::int64_t now_s);
  std::size_t size() const;

 private:
  // Transparent, so that a lookup by string_view allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::string secret_;
  std::unordered_map<std::string, detail::SignedClaims, Hash, std::equal_to<>> entries_;
};

// Where DocSpace looks: cookie asc_auth_key first, else Authorization (a leading "Bearer " stripped).
// cookie_header / authorization_header are the raw header values ("" when absent).
struct ExtractedToken {
  std::string token;
  bool from_cookie = false;
};
std::optional<ExtractedToken> extract_token(std::string_view cookie_header, std::string_view authorization_header);

inline constexpr std::string_view kAuthCookie = "asc_auth_key";

}  // namespace invite::auth
