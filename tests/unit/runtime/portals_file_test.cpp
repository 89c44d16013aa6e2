#include "invite/runtime/portals_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

namespace invite::domain {
namespace {

using ::testing::HasSubstr;

PortalDirectory parse_ok(std::string_view text) {
  auto parsed = runtime::parse_portals_file(text);
  if (!parsed) {
    ADD_FAILURE() << "unexpected error: " << parsed.error().message;
    return PortalDirectory{};
  }
  return std::move(*parsed);
}

std::string parse_error(std::string_view text) {
  auto parsed = runtime::parse_portals_file(text);
  if (!parsed) return parsed.error().message;
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

// One valid entry with one field replaced (or removed, when `value` is empty).
std::string entry_with(const std::string& field, const std::string& value) {
  std::string fields[][2] = {{"host", R"("example.com")"},
                             {"displayName", R"("Example")"},
                             {"baseUrl", R"("https://example.com")"},
                             {"defaultCulture", R"("en-US")"}};
  std::string out = "{";
  bool first = true;
  bool replaced = false;
  for (auto& [name, current] : fields) {
    std::string v = current;
    if (name == field) {
      replaced = true;
      if (value.empty()) continue;
      v = value;
    }
    if (!first) out += ",";
    out += "\"" + name + "\":" + v;
    first = false;
  }
  if (!replaced && !value.empty()) out += ",\"" + field + "\":" + value;
  return R"({"portals":[)" + out + "}]}";
}

TEST(PortalDirectoryParse, ReadsEveryFieldAndNormalizes) {
  const auto directory = parse_ok(R"({"portals":[
    {"host":"Docs.Example.COM","displayName":"Example Docs","baseUrl":"https://docs.example.com/",
     "defaultCulture":"de-DE","paidSeats":5,"allowInvitingMembers":false,"dailyInvitationBudget":100},
    {"host":"localhost","displayName":"Local DocSpace","baseUrl":"http://localhost:8080",
     "defaultCulture":"en"}]})");
  ASSERT_EQ(directory.portals().size(), 2u);
  const auto& first = directory.portals()[0];
  EXPECT_EQ(first.host, "docs.example.com");
  EXPECT_EQ(first.display_name, "Example Docs");
  EXPECT_EQ(first.base_url, "https://docs.example.com");
  EXPECT_EQ(first.default_culture, "de-DE");
  EXPECT_EQ(first.paid_seats, 5);
  EXPECT_FALSE(first.allow_inviting_members);
  EXPECT_EQ(first.daily_invitation_budget, 100);

  const auto& second = directory.portals()[1];
  EXPECT_EQ(second.host, "localhost");
  EXPECT_EQ(second.base_url, "http://localhost:8080");
  EXPECT_EQ(second.paid_seats, std::nullopt);
  EXPECT_TRUE(second.allow_inviting_members);
  EXPECT_EQ(second.daily_invitation_budget, std::nullopt);
}

TEST(PortalDirectoryParse, NullLimitsMeanUnlimitedAndZeroIsALimit) {
  const auto directory = parse_ok(entry_with("paidSeats", "null"));
  EXPECT_EQ(directory.portals().at(0).paid_seats, std::nullopt);
  const auto zero = parse_ok(entry_with("dailyInvitationBudget", "0"));
  EXPECT_EQ(zero.portals().at(0).daily_invitation_budget, 0);
}

TEST(PortalDirectoryParse, MissingRequiredFieldsAreNamed) {
  EXPECT_THAT(parse_error(entry_with("host", "")), HasSubstr("portals[0].host"));
  EXPECT_THAT(parse_error(entry_with("displayName", "")), HasSubstr("portals[0].displayName"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", "")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("defaultCulture", "")), HasSubstr("portals[0].defaultCulture"));
}

TEST(PortalDirectoryParse, WrongValuesAreNamed) {
  EXPECT_THAT(parse_error(entry_with("host", "42")), HasSubstr("portals[0].host"));
  EXPECT_THAT(parse_error(entry_with("host", R"("example.com:8080")")), HasSubstr("portals[0].host"));
  EXPECT_THAT(parse_error(entry_with("host", R"("https://example.com")")), HasSubstr("portals[0].host"));
  EXPECT_THAT(parse_error(entry_with("host", R"("")")), HasSubstr("portals[0].host"));
  EXPECT_THAT(parse_error(entry_with("displayName", R"("")")), HasSubstr("portals[0].displayName"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("example.com")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("ftp://example.com")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("https://")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("https:///")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("http:///docs")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("https://user@example.com")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("https://exa mple.com")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("baseUrl", R"("https://example.com/?x=1")")), HasSubstr("portals[0].baseUrl"));
  EXPECT_THAT(parse_error(entry_with("defaultCulture", R"("en_US")")), HasSubstr("portals[0].defaultCulture"));
  EXPECT_THAT(parse_error(entry_with("defaultCulture", R"("EN")")), HasSubstr("portals[0].defaultCulture"));
  EXPECT_THAT(parse_error(entry_with("paidSeats", "-1")), HasSubstr("portals[0].paidSeats"));
  EXPECT_THAT(parse_error(entry_with("paidSeats", "1.5")), HasSubstr("portals[0].paidSeats"));
  EXPECT_THAT(parse_error(entry_with("paidSeats", R"("5")")), HasSubstr("portals[0].paidSeats"));
  EXPECT_THAT(parse_error(entry_with("allowInvitingMembers", R"("yes")")),
              HasSubstr("portals[0].allowInvitingMembers"));
  EXPECT_THAT(parse_error(entry_with("allowInvitingMembers", "1")), HasSubstr("portals[0].allowInvitingMembers"));
  EXPECT_THAT(parse_error(entry_with("dailyInvitationBudget", "-3")), HasSubstr("portals[0].dailyInvitationBudget"));
  EXPECT_THAT(parse_error(entry_with("dailyInvitationBudget", "true")), HasSubstr("portals[0].dailyInvitationBudget"));
}

TEST(PortalDirectoryParse, BaseUrlMayCarryAPathButLosesTrailingSlashes) {
  EXPECT_EQ(parse_ok(entry_with("baseUrl", R"("https://example.com/docspace//")")).portals().at(0).base_url,
            "https://example.com/docspace");
  EXPECT_EQ(parse_ok(entry_with("baseUrl", R"("http://127.0.0.1:8092/")")).portals().at(0).base_url,
            "http://127.0.0.1:8092");
}

TEST(PortalDirectoryParse, MisspeltFieldIsAnErrorRatherThanSilentlyUnlimited) {
  EXPECT_THAT(parse_error(entry_with("paidseats", "3")), HasSubstr("paidseats"));
}

TEST(PortalDirectoryParse, ErrorNamesTheEntryIndex) {
  const auto error = parse_error(R"({"portals":[
    {"host":"a.example.com","displayName":"A","baseUrl":"https://a.example.com","defaultCulture":"en"},
    {"host":"b.example.com","displayName":"B","baseUrl":"https://b.example.com","defaultCulture":"english"}]})");
  EXPECT_THAT(error, HasSubstr("portals[1].defaultCulture"));
}

TEST(PortalDirectoryParse, DuplicateHostsAreAnErrorEvenInAnotherCase) {
  const auto error = parse_error(R"({"portals":[
    {"host":"a.example.com","displayName":"A","baseUrl":"https://a.example.com","defaultCulture":"en"},
    {"host":"A.Example.com","displayName":"A2","baseUrl":"https://a2.example.com","defaultCulture":"en"}]})");
  EXPECT_THAT(error, HasSubstr("portals[1].host"));
  EXPECT_THAT(error, HasSubstr("duplicate"));
}

TEST(PortalDirectoryParse, RejectsDocumentsOfTheWrongShape) {
  EXPECT_THAT(parse_error("not json"), HasSubstr("JSON"));
  EXPECT_THAT(parse_error("[]"), HasSubstr("object"));
  EXPECT_THAT(parse_error("{}"), HasSubstr("portals"));
  EXPECT_THAT(parse_error(R"({"portals":{}})"), HasSubstr("portals"));
  EXPECT_THAT(parse_error(R"({"portals":[]})"), HasSubstr("portals"));
  EXPECT_THAT(parse_error(R"({"portals":["example.com"]})"), HasSubstr("portals[0]"));
}

TEST(PortalDirectoryJson, RoundTrips) {
  const auto original = parse_ok(R"({"portals":[
    {"host":"docs.example.com","displayName":"Example \"Docs\"","baseUrl":"https://docs.example.com",
     "defaultCulture":"de-DE","paidSeats":5,"allowInvitingMembers":false,"dailyInvitationBudget":0},
    {"host":"localhost","displayName":"Local DocSpace","baseUrl":"http://localhost:8080","defaultCulture":"en"}]})");
  const auto again = parse_ok(runtime::portals_file_json(original));
  ASSERT_EQ(again.portals().size(), original.portals().size());
  for (std::size_t i = 0; i < original.portals().size(); ++i) {
    const auto& a = original.portals()[i];
    const auto& b = again.portals()[i];
    EXPECT_EQ(a.host, b.host);
    EXPECT_EQ(a.display_name, b.display_name);
    EXPECT_EQ(a.base_url, b.base_url);
    EXPECT_EQ(a.default_culture, b.default_culture);
    EXPECT_EQ(a.paid_seats, b.paid_seats);
    EXPECT_EQ(a.allow_inviting_members, b.allow_inviting_members);
    EXPECT_EQ(a.daily_invitation_budget, b.daily_invitation_budget);
  }
  EXPECT_EQ(runtime::portals_file_json(again), runtime::portals_file_json(original));
}

TEST(PortalDirectoryJson, WritesTheDocumentedFormat) {
  Portal portal;
  portal.host = "localhost";
  portal.display_name = "Local DocSpace";
  portal.base_url = "http://localhost:8080";
  portal.default_culture = "en-US";
  const PortalDirectory directory({portal});
  EXPECT_EQ(runtime::portals_file_json(directory), R"({
  "portals": [
    {
      "host": "localhost",
      "displayName": "Local DocSpace",
      "baseUrl": "http://localhost:8080",
      "defaultCulture": "en-US",
      "paidSeats": null,
      "allowInvitingMembers": true,
      "dailyInvitationBudget": null
    }
  ]
}
)");
}

TEST(PortalDirectoryLookup, MatchesHostHeaderIgnoringPortAndCase) {
  const auto directory = parse_ok(R"({"portals":[
    {"host":"docs.example.com","displayName":"A","baseUrl":"https://docs.example.com","defaultCulture":"en"},
    {"host":"::1","displayName":"B","baseUrl":"http://[::1]:8080","defaultCulture":"en"}]})");
  const Portal* found = directory.find_by_host_header("Docs.Example.com:8443");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->display_name, "A");
  EXPECT_EQ(directory.find_by_host_header("docs.example.com"), found);
  const Portal* ipv6 = directory.find_by_host_header("[::1]:8080");
  ASSERT_NE(ipv6, nullptr);
  EXPECT_EQ(ipv6->display_name, "B");
  EXPECT_EQ(directory.find_by_host_header("other.example.com"), nullptr);
  EXPECT_EQ(directory.find_by_host_header("example.com"), nullptr);
  EXPECT_EQ(directory.find_by_host_header(""), nullptr);

  // A directory built in code rather than parsed may hold a host in any case.
  Portal mixed;
  mixed.host = "Mixed.Example.com";
  const PortalDirectory built({mixed});
  EXPECT_NE(built.find_by_host_header("mixed.example.COM:80"), nullptr);
}

TEST(HostWithoutPort, StripsPortAndLowerCases) {
  EXPECT_EQ(host_without_port("Example.com:8080"), "example.com");
  EXPECT_EQ(host_without_port("example.com"), "example.com");
  EXPECT_EQ(host_without_port("[::1]:80"), "::1");
  EXPECT_EQ(host_without_port("[::1]"), "::1");
  EXPECT_EQ(host_without_port("localhost:"), "localhost");
  EXPECT_EQ(host_without_port(" \tExample.com:8080 "), "example.com");
}

}  // namespace
}  // namespace invite::domain
