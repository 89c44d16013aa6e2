#include "invite/domain/invite_link.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace invite::domain {
namespace {

// Expected values were computed outside this code base from the format documented in invite_link.hpp
// (Python's hmac/hashlib and the `cryptography` package's AESGCM), for exactly these inputs.
constexpr std::string_view kSecret = "test-secret";
constexpr std::int64_t kCreatedAt = 1700000000000;
constexpr std::string_view kExpectedKey = "1700000000000.coB19B-PCMEPFYQ7smpETBdBjhnRzq1OqRzbVU8TFWk";
constexpr std::string_view kExpectedEncemail = "9zsvO1duETR5sXiMhmYqkrUFjt9Rt9IwHU6DSUZVpEkrEb_1xfAAvOw_zKPwRGMkiLhu";
constexpr std::int64_t kDay = 24 * 60 * 60 * 1000;

Portal example_portal() {
  Portal portal;
  portal.host = "example.com";
  portal.display_name = "Example";
  portal.base_url = "https://example.com";
  portal.default_culture = "en-US";
  return portal;
}

InviteLinkInput alice(EmployeeType type = EmployeeType::User) {
  return InviteLinkInput{"Alice.Smith@Example.COM", type, "6f1e2d3c-0000-4000-8000-000000000001", "en-US", kCreatedAt};
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

struct ParsedLink {
  std::string base;
  std::vector<std::pair<std::string, std::string>> params;  // in order, decoded
  std::string get(const std::string& name) const {
    for (const auto& [key, value] : params) {
      if (key == name) return value;
    }
    return "<missing>";
  }
};

ParsedLink parse_link(const std::string& link) {
  ParsedLink parsed;
  const auto question = link.find('?');
  parsed.base = link.substr(0, question);
  if (question == std::string::npos) return parsed;
  std::string_view query = std::string_view(link).substr(question + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    parsed.params.emplace_back(std::string(pair.substr(0, eq)),
                               eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1)));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return parsed;
}

TEST(InviteLink, HasDocSpacesFormatForFixedInputs) {
  const auto link = invite_link(example_portal(), alice(), kSecret);
  const auto parsed = parse_link(link);
  EXPECT_EQ(parsed.base, "https://example.com/confirm/LinkInvite");
  std::vector<std::string> names;
  for (const auto& [name, value] : parsed.params) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"type", "key", "encemail", "uid", "emplType", "culture"}));
  EXPECT_EQ(parsed.get("type"), "LinkInvite");
  EXPECT_EQ(parsed.get("key"), kExpectedKey);
  EXPECT_EQ(parsed.get("encemail"), kExpectedEncemail);
  EXPECT_EQ(parsed.get("uid"), "6f1e2d3c-0000-4000-8000-000000000001");
  EXPECT_EQ(parsed.get("emplType"), "4");
  EXPECT_EQ(parsed.get("culture"), "en-US");
  // Every value above is URL-safe, so the raw link is exactly this.
  EXPECT_EQ(link, "https://example.com/confirm/LinkInvite?type=LinkInvite&key=" + std::string(kExpectedKey) +
                      "&encemail=" + std::string(kExpectedEncemail) +
                      "&uid=6f1e2d3c-0000-4000-8000-000000000001&emplType=4&culture=en-US");
}

TEST(InviteLink, UsesThePortalsBaseUrlAndTypeNumber) {
  Portal portal = example_portal();
  portal.base_url = "http://localhost:8080";
  const auto parsed = parse_link(invite_link(portal, alice(EmployeeType::DocSpaceAdmin), kSecret));
  EXPECT_EQ(parsed.base, "http://localhost:8080/confirm/LinkInvite");
  EXPECT_EQ(parsed.get("emplType"), "3");
}

TEST(InviteLink, EncodesUnsafeParameterValues) {
  auto input = alice();
  input.inviter_id = "a b&c";
  const auto link = invite_link(example_portal(), input, kSecret);
  EXPECT_NE(link.find("&uid=a%20b%26c&"), std::string::npos) << link;
}

TEST(InviteLink, IsAPureFunctionOfItsInputs) {
  EXPECT_EQ(invite_link(example_portal(), alice(), kSecret), invite_link(example_portal(), alice(), kSecret));
  auto other = alice();
  other.email = "bob@example.com";
  EXPECT_NE(parse_link(invite_link(example_portal(), other, kSecret)).get("encemail"), kExpectedEncemail);
}

class InviteKeyCheck : public ::testing::Test {
 protected:
  std::string key = parse_link(invite_link(example_portal(), alice(), kSecret)).get("key");

  LinkCheck check(std::int64_t now, std::string_view email = "alice.smith@example.com",
                  EmployeeType type = EmployeeType::User, std::string_view host = "example.com",
                  std::string_view secret = kSecret) const {
    return check_invite_key(key, email, type, host, now, secret);
  }
};

TEST_F(InviteKeyCheck, ValidForItsEmailTypeAndPortalWithinSevenDays) {
  EXPECT_EQ(check(kCreatedAt), LinkCheck::Valid);
  EXPECT_EQ(check(kCreatedAt + 6 * kDay), LinkCheck::Valid);
  EXPECT_EQ(check(kCreatedAt + 7 * kDay), LinkCheck::Valid);
  EXPECT_EQ(check(kCreatedAt, "ALICE.Smith@example.com"), LinkCheck::Valid);
  EXPECT_EQ(check(kCreatedAt, "alice.smith@example.com", EmployeeType::User, "Example.COM"), LinkCheck::Valid);
}

TEST_F(InviteKeyCheck, ExpiresAfterSevenDays) {
  EXPECT_EQ(check(kCreatedAt + 7 * kDay + 1), LinkCheck::Expired);
  EXPECT_EQ(check(kCreatedAt + 30 * kDay), LinkCheck::Expired);
}

TEST_F(InviteKeyCheck, HonoursACustomValidity) {
  EXPECT_EQ(check_invite_key(key, "alice.smith@example.com", EmployeeType::User, "example.com", kCreatedAt + 61000,
                             kSecret, std::chrono::minutes(1)),
            LinkCheck::Expired);
}

TEST_F(InviteKeyCheck, InvalidForAnythingElse) {
  EXPECT_EQ(check(kCreatedAt, "mallory@example.com"), LinkCheck::Invalid);
  EXPECT_EQ(check(kCreatedAt, "alice.smith@example.com", EmployeeType::DocSpaceAdmin), LinkCheck::Invalid);
  EXPECT_EQ(check(kCreatedAt, "alice.smith@example.com", EmployeeType::User, "other.example.com"), LinkCheck::Invalid);
  EXPECT_EQ(check(kCreatedAt, "alice.smith@example.com", EmployeeType::User, "example.com", "other-secret"),
            LinkCheck::Invalid);
  // A forged key for an old timestamp must read as forged, not merely expired.
  EXPECT_EQ(check(kCreatedAt + 30 * kDay, "mallory@example.com"), LinkCheck::Invalid);
}

TEST_F(InviteKeyCheck, InvalidWhenTampered) {
  const auto good = key;
  auto tampered = good;
  tampered[20] = tampered[20] == 'A' ? 'B' : 'A';
  key = tampered;
  EXPECT_EQ(check(kCreatedAt), LinkCheck::Invalid);

  // Moving the timestamp (to extend the link's life) breaks the hash.
  key = "1700000100000" + good.substr(good.find('.'));
  EXPECT_EQ(check(kCreatedAt), LinkCheck::Invalid);
  // The same number spelt differently was never signed.
  key = "0" + good;
  EXPECT_EQ(check(kCreatedAt), LinkCheck::Invalid);
  key = "+" + good;
  EXPECT_EQ(check(kCreatedAt), LinkCheck::Invalid);

  for (std::string bad :
       {std::string(""), std::string("."), good.substr(0, good.size() - 1), good + "A", good.substr(good.find('.') + 1),
        good.substr(0, good.find('.')), "abc" + good.substr(good.find('.')), good.substr(0, good.find('.') + 1)}) {
    key = bad;
    EXPECT_EQ(check(kCreatedAt), LinkCheck::Invalid) << "key " << bad;
  }
}

TEST(InviteKeyFuture, ToleratesFiveMinutesOfClockSkewOnly) {
  auto input = alice();
  input.created_at_ms = kCreatedAt + 5 * 60 * 1000;
  const auto near = parse_link(invite_link(example_portal(), input, kSecret)).get("key");
  EXPECT_EQ(check_invite_key(near, "alice.smith@example.com", EmployeeType::User, "example.com", kCreatedAt, kSecret),
            LinkCheck::Valid);
  input.created_at_ms = kCreatedAt + 5 * 60 * 1000 + 1;
  const auto far = parse_link(invite_link(example_portal(), input, kSecret)).get("key");
  EXPECT_EQ(check_invite_key(far, "alice.smith@example.com", EmployeeType::User, "example.com", kCreatedAt, kSecret),
            LinkCheck::Invalid);
}

TEST(DecryptEncemail, RecoversTheLowerCaseEmail) {
  EXPECT_EQ(decrypt_encemail(kExpectedEncemail, kSecret), "alice.smith@example.com");
  auto input = alice();
  input.email = "Bob+Tag@Mail.Example.org";
  const auto encemail = parse_link(invite_link(example_portal(), input, kSecret)).get("encemail");
  EXPECT_EQ(decrypt_encemail(encemail, kSecret), "bob+tag@mail.example.org");
}

TEST(DecryptEncemail, ForgedOrCorruptValuesGiveNothing) {
  const std::string good(kExpectedEncemail);
  EXPECT_EQ(decrypt_encemail(good, "other-secret"), std::nullopt);
  auto flipped = good;
  flipped[20] = flipped[20] == 'A' ? 'B' : 'A';
  EXPECT_EQ(decrypt_encemail(flipped, kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail(good.substr(0, good.size() - 4), kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail(good.substr(4), kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail("", kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail("AAAA", kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail(std::string(60, 'A'), kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail("!!!!" + good, kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail(good + "=", kSecret), std::nullopt);
  EXPECT_EQ(decrypt_encemail(good + "A", kSecret), std::nullopt);
}

}  // namespace
}  // namespace invite::domain
