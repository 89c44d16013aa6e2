#include "invite/auth/token.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <vector>

using namespace invite::auth;
using invite::domain::Role;

namespace {

constexpr std::string_view kSecret = "0123456789abcdef0123456789abcdef";
constexpr std::string_view kPortal = "acme.example.com";
constexpr std::int64_t kNow = 1795690800;  // 2026-11-26T11:00:00Z
const std::string kUser = "0bd1d2a4-5b6e-4c1a-9a3e-6f2e1c7b8d90";

Claims good_claims() {
  Claims c;
  c.user_id = kUser;
  c.portal = std::string(kPortal);
  c.role = Role::DocSpaceAdmin;
  c.issued_at = kNow - 60;
  c.expires_at = kNow + 3600;
  return c;
}

// Test-side base64url (no padding), independent of the library under test, to hand-build hostile tokens.
std::string b64url(std::string_view data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(data.data()), static_cast<int>(data.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+')
      c = '-';
    else if (c == '/')
      c = '_';
  }
  return out;
}

std::string hmac_b64url(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(md, key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(),
       mac, &len);
  return b64url(std::string_view(reinterpret_cast<const char*>(mac), len));
}

// A token signed with HS256 over an arbitrary header and payload.
std::string hand_signed(std::string_view header_json, std::string_view payload_json, const EVP_MD* md = EVP_sha256(),
                        std::string_view secret = kSecret) {
  const std::string input = b64url(header_json) + "." + b64url(payload_json);
  return input + "." + hmac_b64url(md, secret, input);
}

std::string payload_json(std::string_view sub = kUser, std::string_view role = "DocSpaceAdmin",
                         std::string_view extra = R"(,"iat":1795690740,"exp":1795694400)") {
  return std::string(R"({"sub":")") + std::string(sub) + R"(","portal":"acme.example.com","role":")" +
         std::string(role) + "\"" + std::string(extra) + "}";
}

constexpr std::string_view kHs256Header = R"({"alg":"HS256","typ":"JWT"})";

TokenError error_of(const boost::system::result<Claims, TokenError>& result) {
  EXPECT_FALSE(result) << "token was accepted";
  return result ? TokenError::Missing : result.error();
}

}  // namespace

TEST(Token, IssueVerifyRoundTrip) {
  const std::string token = issue_token(good_claims(), kSecret);
  const auto result = verify_token(token, kSecret, kPortal, kNow);
  ASSERT_TRUE(result) << describe(result.error());
  const auto& c = *result;
  EXPECT_EQ(c.user_id, kUser);
  EXPECT_EQ(c.portal, kPortal);
  EXPECT_EQ(c.role, Role::DocSpaceAdmin);
  EXPECT_EQ(c.issued_at, kNow - 60);
  EXPECT_EQ(c.expires_at, kNow + 3600);
}

TEST(Token, EveryRoleRoundTrips) {
  for (Role role : {Role::Owner, Role::DocSpaceAdmin, Role::RoomAdmin, Role::User, Role::Guest}) {
    auto claims = good_claims();
    claims.role = role;
    const auto result = verify_token(issue_token(claims, kSecret), kSecret, kPortal, kNow);
    ASSERT_TRUE(result);
    EXPECT_EQ(result->role, role);
  }
}

TEST(Token, HandBuiltHs256TokenIsAccepted) {
  // Another issuer's token (any conforming JWT library) verifies too, not just our own output.
  const auto result = verify_token(hand_signed(kHs256Header, payload_json()), kSecret, kPortal, kNow);
  ASSERT_TRUE(result) << describe(result.error());
  EXPECT_EQ(result->user_id, kUser);
}

TEST(Token, Expired) {
  const std::string token = issue_token(good_claims(), kSecret);
  EXPECT_EQ(error_of(verify_token(token, kSecret, kPortal, kNow + 3600)), TokenError::Expired);  // exp == now
  EXPECT_EQ(error_of(verify_token(token, kSecret, kPortal, kNow + 7200)), TokenError::Expired);
  EXPECT_TRUE(verify_token(token, kSecret, kPortal, kNow + 3599));
}

TEST(Token, NotValidYetWhenNbfOrIatLieBeyondTheClockSkew) {
  const auto verify = [](std::string_view times) {
    return verify_token(hand_signed(kHs256Header, payload_json(kUser, "User", times)), kSecret, kPortal, kNow);
  };
  const std::string exp = ",\"exp\":" + std::to_string(kNow + 3600);
  const auto at = [](std::int64_t s) { return std::to_string(s); };
  EXPECT_EQ(error_of(verify(",\"iat\":" + at(kNow - 10) + ",\"nbf\":" + at(kNow + kClockSkewS + 1) + exp)),
            TokenError::NotYetValid);
  EXPECT_EQ(error_of(verify(",\"iat\":" + at(kNow + kClockSkewS + 1) + exp)), TokenError::NotYetValid);
  // Within the skew both pass: the issuer's clock may be a little ahead of ours.
  EXPECT_TRUE(verify(",\"iat\":" + at(kNow + kClockSkewS) + ",\"nbf\":" + at(kNow + kClockSkewS) + exp));
  EXPECT_TRUE(verify(",\"iat\":" + at(kNow - 10) + ",\"nbf\":" + at(kNow - 10) + exp));
  EXPECT_EQ(error_of(verify(",\"iat\":" + at(kNow - 10) + ",\"nbf\":\"now\"" + exp)), TokenError::BadClaims);
  EXPECT_NE(describe(TokenError::NotYetValid), describe(TokenError::Expired));
}

TEST(Token, WrongSignature) {
  const std::string token = issue_token(good_claims(), "another-secret-of-some-length");
  EXPECT_EQ(error_of(verify_token(token, kSecret, kPortal, kNow)), TokenError::BadSignature);
}

TEST(Token, TamperedPayloadFailsSignature) {
  const std::string token = issue_token(good_claims(), kSecret);
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 + 1);
  auto claims = good_claims();
  claims.role = Role::Owner;
  const std::string owner = issue_token(claims, "attacker");
  const auto o1 = owner.find('.');
  const auto o2 = owner.find('.', o1 + 1);
  // Our header and signature around the attacker's payload.
  const std::string forged = token.substr(0, dot1 + 1) + owner.substr(o1 + 1, o2 - o1 - 1) + token.substr(dot2);
  EXPECT_EQ(error_of(verify_token(forged, kSecret, kPortal, kNow)), TokenError::BadSignature);
}

TEST(Token, AlgNoneRejected) {
  const std::string unsigned_token = b64url(R"({"alg":"none","typ":"JWT"})") + "." + b64url(payload_json()) + ".";
  EXPECT_EQ(error_of(verify_token(unsigned_token, kSecret, kPortal, kNow)), TokenError::BadSignature);
  // Same with a signature segment that happens to be valid for HS256: alg none is refused as such.
  const std::string input = b64url(R"({"alg":"none"})") + "." + b64url(payload_json());
  EXPECT_EQ(error_of(verify_token(input + "." + hmac_b64url(EVP_sha256(), kSecret, input), kSecret, kPortal, kNow)),
            TokenError::BadSignature);
}

TEST(Token, OtherAlgorithmsRejectedEvenWithValidMac) {
  const std::string hs512 = hand_signed(R"({"alg":"HS512","typ":"JWT"})", payload_json(), EVP_sha512());
  EXPECT_EQ(error_of(verify_token(hs512, kSecret, kPortal, kNow)), TokenError::BadSignature);
  // Lower-case "hs256" is not the registered name (RFC 7515 names are case-sensitive).
  const std::string lower = hand_signed(R"({"alg":"hs256","typ":"JWT"})", payload_json());
  EXPECT_EQ(error_of(verify_token(lower, kSecret, kPortal, kNow)), TokenError::BadSignature);
  const std::string rs256 = hand_signed(R"({"alg":"RS256","typ":"JWT"})", payload_json());
  EXPECT_EQ(error_of(verify_token(rs256, kSecret, kPortal, kNow)), TokenError::BadSignature);
  const std::string missing = hand_signed(R"({"typ":"JWT"})", payload_json());
  EXPECT_EQ(error_of(verify_token(missing, kSecret, kPortal, kNow)), TokenError::Malformed);
}

TEST(Token, WrongPortal) {
  const std::string token = issue_token(good_claims(), kSecret);
  EXPECT_EQ(error_of(verify_token(token, kSecret, "other.example.com", kNow)), TokenError::WrongPortal);
  EXPECT_EQ(error_of(verify_token(token, kSecret, "ACME.example.com", kNow)), TokenError::WrongPortal);
}

TEST(Token, Malformed) {
  const std::string good = issue_token(good_claims(), kSecret);
  const auto last_dot = good.rfind('.');
  for (const std::string& bad :
       {std::string("garbage"), std::string("a.b"), good.substr(0, last_dot), std::string("a.b.c.d"), std::string(".."),
        std::string("é.é.é"), std::string("not json.at all.sig"),
        b64url("not json") + "." + b64url(payload_json()) + ".c2ln",
        b64url(kHs256Header) + "." + b64url("[1,2]") + ".c2ln",
        b64url(R"({"alg":5})") + "." + b64url(payload_json()) + ".c2ln", good + "."}) {
    EXPECT_EQ(error_of(verify_token(bad, kSecret, kPortal, kNow)), TokenError::Malformed) << bad;
  }
}

TEST(Token, EmptyIsMissing) { EXPECT_EQ(error_of(verify_token("", kSecret, kPortal, kNow)), TokenError::Missing); }

TEST(Token, BadClaims) {
  const auto check = [](const std::string& payload, const char* what) {
    EXPECT_EQ(error_of(verify_token(hand_signed(kHs256Header, payload), kSecret, kPortal, kNow)), TokenError::BadClaims)
        << what;
  };
  check(payload_json("not-a-uuid"), "sub not a uuid");
  check(payload_json(kUser, "Administrator"), "unknown role");
  check(payload_json(kUser, "owner"), "role names are case-sensitive");
  check(payload_json(kUser, "User", R"(,"iat":1795690740)"), "missing exp");
  check(payload_json(kUser, "User", R"(,"exp":1795694400)"), "missing iat");
  check(payload_json(kUser, "User", R"(,"iat":1795690740,"exp":"tomorrow")"), "exp not a number");
  check(R"({"portal":"acme.example.com","role":"User","iat":1795690740,"exp":1795694400})", "missing sub");
  check(R"({"sub":")" + kUser + R"(","role":"User","iat":1795690740,"exp":1795694400})", "missing portal");
  check(R"({"sub":")" + kUser + R"(","portal":"acme.example.com","iat":1795690740,"exp":1795694400})", "missing role");
}

TEST(Token, EmptySecretNeverVerifies) {
  const std::string token = hand_signed(kHs256Header, payload_json(), EVP_sha256(), "");
  EXPECT_EQ(error_of(verify_token(token, "", kPortal, kNow)), TokenError::BadSignature);
}

TEST(Token, DescribeIsHumanText) {
  for (TokenError e : {TokenError::Missing, TokenError::Malformed, TokenError::BadSignature, TokenError::Expired,
                       TokenError::NotYetValid, TokenError::WrongPortal, TokenError::BadClaims}) {
    EXPECT_FALSE(describe(e).empty());
  }
  EXPECT_NE(describe(TokenError::Expired), describe(TokenError::BadSignature));
}

TEST(ExtractToken, CookieWinsOverHeader) {
  const auto t = extract_token("asc_auth_key=COOKIE", "Bearer HEADER");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->token, "COOKIE");
  EXPECT_TRUE(t->from_cookie);
}

TEST(ExtractToken, CookieAmongSeveral) {
  const auto t = extract_token("a=1; asc_auth_key=T; b=2", "");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->token, "T");
  EXPECT_TRUE(t->from_cookie);
  const auto quoted = extract_token("x=y;asc_auth_key=\"Q\"", "");
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->token, "Q");
  // A cookie whose name merely ends with the right name is somebody else's.
  EXPECT_EQ(extract_token("my_asc_auth_key=Z", ""), std::nullopt);
}

TEST(ExtractToken, BearerPrefixStrippedCaseInsensitively) {
  for (const char* header :
       {"Bearer abc.def.ghi", "bearer abc.def.ghi", "BEARER   abc.def.ghi", "  Bearer abc.def.ghi "}) {
    const auto t = extract_token("", header);
    ASSERT_TRUE(t) << header;
    EXPECT_EQ(t->token, "abc.def.ghi") << header;
    EXPECT_FALSE(t->from_cookie);
  }
}

TEST(ExtractToken, BareHeaderValueIsTheToken) {
  const auto t = extract_token("", "abc.def.ghi");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->token, "abc.def.ghi");
  // Only the "bearer " scheme is stripped: a token that starts with those letters stays whole.
  const auto b = extract_token("", "bearerish.x.y");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->token, "bearerish.x.y");
}

TEST(ExtractToken, EmptyValuesAreNullopt) {
  EXPECT_EQ(extract_token("", ""), std::nullopt);
  EXPECT_EQ(extract_token("asc_auth_key=", ""), std::nullopt);
  EXPECT_EQ(extract_token("a=1; b=2", "   "), std::nullopt);
  EXPECT_EQ(extract_token("", "Bearer "), std::nullopt);
  EXPECT_EQ(extract_token("", "Bearer"), std::nullopt);
  // An empty cookie does not hide a usable header.
  const auto t = extract_token("asc_auth_key=", "Bearer H");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->token, "H");
  EXPECT_FALSE(t->from_cookie);
}

TEST(ExtractToken, ExtractedTokenVerifies) {
  const std::string token = issue_token(good_claims(), kSecret);
  const auto t = extract_token("lang=en; asc_auth_key=" + token, "");
  ASSERT_TRUE(t);
  EXPECT_TRUE(verify_token(t->token, kSecret, kPortal, kNow));
}

// ---- VerifiedTokens: what verify_token answers, remembered ----

TEST(VerifiedTokens, RemembersAGoodTokenAndStillAppliesTheClock) {
  VerifiedTokens tokens;
  const std::string token = issue_token(good_claims(), kSecret);
  ASSERT_TRUE(tokens.verify(token, kSecret, kPortal, kNow));
  EXPECT_EQ(tokens.size(), 1u);
  const auto again = tokens.verify(token, kSecret, kPortal, kNow + 1);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->user_id, kUser);
  EXPECT_EQ(again->role, Role::DocSpaceAdmin);
  EXPECT_EQ(tokens.size(), 1u);
  // Remembered, yet expired once its exp has passed, and refused for another portal.
  EXPECT_EQ(error_of(tokens.verify(token, kSecret, kPortal, good_claims().expires_at)), TokenError::Expired);
  EXPECT_EQ(error_of(tokens.verify(token, kSecret, "other.example.com", kNow)), TokenError::WrongPortal);
}

TEST(VerifiedTokens, NotYetValidTokenBecomesValidWithTime) {
  VerifiedTokens tokens;
  const std::string token =
      hand_signed(kHs256Header, payload_json(kUser, "User", R"(,"iat":1795690740,"exp":1795694400,"nbf":1795690900)"));
  EXPECT_EQ(error_of(tokens.verify(token, kSecret, kPortal, kNow)), TokenError::NotYetValid);
  EXPECT_TRUE(tokens.verify(token, kSecret, kPortal, kNow + 60));
}

TEST(VerifiedTokens, ATokenVerifiedUnderOneSecretIsNotTrustedUnderAnother) {
  VerifiedTokens tokens;
  const std::string token = issue_token(good_claims(), kSecret);
  ASSERT_TRUE(tokens.verify(token, kSecret, kPortal, kNow));
  EXPECT_EQ(error_of(tokens.verify(token, "another secret of enough length!", kPortal, kNow)),
            TokenError::BadSignature);
  EXPECT_EQ(tokens.size(), 0u);
}

TEST(VerifiedTokens, RefusedTokensAreNeverRemembered) {
  VerifiedTokens tokens;
  const std::string good = issue_token(good_claims(), kSecret);
  const std::string forged = good.substr(0, good.rfind('.') + 1) + "AAAA";
  EXPECT_EQ(error_of(tokens.verify(forged, kSecret, kPortal, kNow)), TokenError::BadSignature);
  EXPECT_EQ(error_of(tokens.verify("not-a-token", kSecret, kPortal, kNow)), TokenError::Malformed);
  EXPECT_EQ(error_of(tokens.verify("", kSecret, kPortal, kNow)), TokenError::Missing);
  EXPECT_EQ(tokens.size(), 0u);
}

// Claims whose syntax is checked after the clock and the portal (sub a uuid, a known role) are remembered with the
// signature, and answer as verify_token does on every call.
TEST(VerifiedTokens, AnswersWhatVerifyTokenAnswers) {
  VerifiedTokens tokens;
  const std::vector<std::string> cases = {
      issue_token(good_claims(), kSecret),
      hand_signed(kHs256Header, payload_json("not-a-uuid")),
      hand_signed(kHs256Header, payload_json(kUser, "Emperor")),
      hand_signed(kHs256Header, payload_json(kUser, "User", R"(,"iat":1795690740)")),
      hand_signed(kHs256Header, payload_json(kUser, "User", R"(,"iat":1795690740,"exp":1795690000)")),
  };
  for (const auto& token : cases) {
    for (int round = 0; round < 2; ++round) {
      for (const auto portal : {kPortal, std::string_view("other.example.com")}) {
        const auto direct = verify_token(token, kSecret, portal, kNow);
        const auto remembered = tokens.verify(token, kSecret, portal, kNow);
        ASSERT_EQ(bool(direct), bool(remembered)) << token;
        if (direct) {
          EXPECT_EQ(remembered->user_id, direct->user_id);
          EXPECT_EQ(remembered->expires_at, direct->expires_at);
        } else {
          EXPECT_EQ(remembered.error(), direct.error()) << token;
        }
      }
    }
  }
}

TEST(VerifiedTokens, BoundedByItsCapacity) {
  VerifiedTokens tokens(3);
  for (int i = 0; i < 7; ++i) {
    auto claims = good_claims();
    claims.issued_at = kNow - 60 - i;  // a different token each time
    ASSERT_TRUE(tokens.verify(issue_token(claims, kSecret), kSecret, kPortal, kNow));
    EXPECT_LE(tokens.size(), 3u);
  }
}
