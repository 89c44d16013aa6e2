#include "invite_request.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace invite::gateway {
namespace {

using namespace invite::domain;

using Errors = std::vector<std::pair<std::string, std::vector<std::string>>>;

constexpr std::size_t kMax = 1000;
const char* const kBadType = "The JSON value could not be converted to EmployeeType.";

InviteRequest accepted(std::string_view body, std::size_t max = kMax) {
  auto parsed = parse_invite_request(body, max);
  if (!parsed) {
    std::string text;
    for (const auto& [key, messages] : parsed.error().errors) text += key + ": " + messages.at(0) + "; ";
    ADD_FAILURE() << "rejected " << body << ": " << text;
    return {};
  }
  return std::move(*parsed);
}

Errors rejected(std::string_view body, std::size_t max = kMax) {
  auto parsed = parse_invite_request(body, max);
  if (!parsed) return parsed.error().errors;
  ADD_FAILURE() << "accepted " << body;
  return {};
}

std::string with_type(std::string_view type_json) {
  return R"({"invitations":[{"email":"a@example.com","type":)" + std::string(type_json) + "}]}";
}

TEST(InviteRequestParse, ReadsPlainItemsAndCulture) {
  const auto request = accepted(
      R"({"invitations":[{"email":"Adele94@Gmail.com","type":"User"},{"email":"b@example.com","type":3}],"culture":"en-US"})");
  ASSERT_EQ(request.invitations.size(), 2u);
  EXPECT_EQ(request.invitations[0].email, "Adele94@Gmail.com");  // as given, not lower-cased
  EXPECT_EQ(request.invitations[0].type, EmployeeType::User);
  EXPECT_EQ(request.invitations[1].email, "b@example.com");
  EXPECT_EQ(request.invitations[1].type, EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(request.culture, "en-US");
}

TEST(InviteRequestParse, AcceptsTheSeedsWrappedItems) {
  const auto request = accepted(R"({"invitations":[{"value":{"email":"Adele94@gmail.com"}},
                                                   {"value":{"email":"g@example.com","type":"Guest"}}]})");
  ASSERT_EQ(request.invitations.size(), 2u);
  EXPECT_EQ(request.invitations[0].email, "Adele94@gmail.com");
  EXPECT_EQ(request.invitations[0].type, EmployeeType::RoomAdmin);
  EXPECT_EQ(request.invitations[1].type, EmployeeType::Guest);
  EXPECT_EQ(request.culture, std::nullopt);
}

TEST(InviteRequestParse, PropertyNamesAreCaseInsensitive) {
  const auto request =
      accepted(R"({"Invitations":[{"Email":"a@example.com","TYPE":"user"},{"VALUE":{"eMail":"b@example.com"}}],
                  "Culture":"de"})");
  ASSERT_EQ(request.invitations.size(), 2u);
  EXPECT_EQ(request.invitations[0].email, "a@example.com");
  EXPECT_EQ(request.invitations[0].type, EmployeeType::User);
  EXPECT_EQ(request.invitations[1].email, "b@example.com");
  EXPECT_EQ(request.culture, "de");
}

TEST(InviteRequestParse, OfSeveralSpellingsTheLastWrittenWins) {
  EXPECT_EQ(accepted(R"({"invitations":[{"Email":"bad","email":"a@example.com"}]})").invitations.at(0).email,
            "a@example.com");
  const Errors expected{{"Invitations[0].Email", {"Incorrect email"}}};
  EXPECT_EQ(rejected(R"({"invitations":[{"email":"a@example.com","EMAIL":"bad"}]})"), expected);
}

TEST(InviteRequestParse, EmptyListIsAllowed) {
  const auto request = accepted(R"({"invitations":[]})");
  EXPECT_TRUE(request.invitations.empty());
}

TEST(InviteRequestParse, DuplicateEmailsAreKept) {
  const auto request = accepted(
      R"({"invitations":[{"email":"a@example.com","type":"User"},{"email":"A@example.com","type":"RoomAdmin"}]})");
  ASSERT_EQ(request.invitations.size(), 2u);
  EXPECT_EQ(request.invitations[1].email, "A@example.com");
  EXPECT_EQ(request.invitations[1].type, EmployeeType::RoomAdmin);
}

TEST(InviteRequestParse, NullCultureIsAbsent) {
  EXPECT_EQ(accepted(R"({"invitations":[],"culture":null})").culture, std::nullopt);
}

TEST(InviteRequestType, NamesInAnyCase) {
  EXPECT_EQ(accepted(with_type(R"("user")")).invitations.at(0).type, EmployeeType::User);
  EXPECT_EQ(accepted(with_type(R"("USER")")).invitations.at(0).type, EmployeeType::User);
  EXPECT_EQ(accepted(with_type(R"("guest")")).invitations.at(0).type, EmployeeType::Guest);
  EXPECT_EQ(accepted(with_type(R"("docspaceadmin")")).invitations.at(0).type, EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(accepted(with_type(R"("RoomAdmin")")).invitations.at(0).type, EmployeeType::RoomAdmin);
}

TEST(InviteRequestType, NumbersZeroToFour) {
  EXPECT_EQ(accepted(with_type("1")).invitations.at(0).type, EmployeeType::RoomAdmin);
  EXPECT_EQ(accepted(with_type("2")).invitations.at(0).type, EmployeeType::Guest);
  EXPECT_EQ(accepted(with_type("3")).invitations.at(0).type, EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(accepted(with_type("4")).invitations.at(0).type, EmployeeType::User);
}

TEST(InviteRequestType, AllOmittedOrNullAreInvitedAsRoomAdmin) {
  EXPECT_EQ(accepted(with_type(R"("All")")).invitations.at(0).type, EmployeeType::RoomAdmin);
  EXPECT_EQ(accepted(with_type(R"("all")")).invitations.at(0).type, EmployeeType::RoomAdmin);
  EXPECT_EQ(accepted(with_type("0")).invitations.at(0).type, EmployeeType::RoomAdmin);
  EXPECT_EQ(accepted(with_type("null")).invitations.at(0).type, EmployeeType::RoomAdmin);
  EXPECT_EQ(accepted(R"({"invitations":[{"email":"a@example.com"}]})").invitations.at(0).type, EmployeeType::RoomAdmin);
}

TEST(InviteRequestType, ANumericStringIsReadAsTheNumber) {
  EXPECT_EQ(accepted(with_type(R"("4")")).invitations.at(0).type, EmployeeType::User);
}

TEST(InviteRequestType, AnythingElseIsAConversionError) {
  const Errors expected{{"$.invitations[0].type", {kBadType}}};
  for (const char* bad : {R"("Admin")", "5", "-1", "1.5", "1.0", R"(" 1")", R"("7")", "true", R"("")", "[]", "{}",
                          "18446744073709551615"}) {
    EXPECT_EQ(rejected(with_type(bad)), expected) << "type " << bad;
  }
}

TEST(InviteRequestType, WrappedItemsAreKeyedLikePlainOnes) {
  const Errors expected{{"$.invitations[1].type", {kBadType}}};
  EXPECT_EQ(rejected(R"({"invitations":[{"value":{"email":"a@example.com"}},
                                         {"value":{"email":"b@example.com","type":"Owner"}}]})"),
            expected);
}

TEST(InviteRequestEmail, InvalidOrMissingEmailsAreKeyedByIndex) {
  const auto errors = rejected(R"({"invitations":[
      {"email":"ok@example.com"},
      {"email":"not-an-email"},
      {"type":"User"},
      {"email":null},
      {"email":42},
      "x@example.com",
      {"value":{"email":"user@xn--bcher-kva.de"}},
      {"email":"a@b.c"}]})");
  const Errors expected{{"Invitations[1].Email", {"Incorrect email"}}, {"Invitations[2].Email", {"Incorrect email"}},
                        {"Invitations[3].Email", {"Incorrect email"}}, {"Invitations[4].Email", {"Incorrect email"}},
                        {"Invitations[5].Email", {"Incorrect email"}}, {"Invitations[6].Email", {"Incorrect email"}},
                        {"Invitations[7].Email", {"Incorrect email"}}};
  EXPECT_EQ(errors, expected);
}

TEST(InviteRequestEmail, CrLfCannotReachAMailHeader) {
  const Errors expected{{"Invitations[0].Email", {"Incorrect email"}}};
  EXPECT_EQ(rejected(R"({"invitations":[{"email":"a@example.com\r\nBcc: b@example.com"}]})"), expected);
}

TEST(InviteRequestErrors, AreCollectedItemByItemThenCulture) {
  const Errors expected{{"Invitations[0].Email", {"Incorrect email"}},
                        {"$.invitations[0].type", {kBadType}},
                        {"$.invitations[1].type", {kBadType}},
                        {"Culture", {"Incorrect culture"}}};
  EXPECT_EQ(rejected(R"({"invitations":[{"email":"bad","type":"Boss"},{"email":"ok@example.com","type":9}],)"
                     R"("culture":"en_US"})"),
            expected);
  EXPECT_EQ(rejected(R"({"culture":"en_US",)"
                     R"("invitations":[{"type":"Boss","email":"bad"},{"email":"ok@example.com","type":9}]})"),
            expected);
}

TEST(InviteRequestErrors, MissingOrNullInvitations) {
  const Errors expected{{"Invitations", {"The Invitations field is required."}}};
  EXPECT_EQ(rejected(R"({})"), expected);
  EXPECT_EQ(rejected(R"({"invitations":null})"), expected);
  EXPECT_EQ(rejected(R"({"culture":"en"})"), expected);
}

TEST(InviteRequestErrors, InvitationsNotAnArray) {
  const Errors expected{{"Invitations", {"The Invitations field must be an array."}}};
  EXPECT_EQ(rejected(R"({"invitations":{"email":"a@example.com"}})"), expected);
  EXPECT_EQ(rejected(R"({"invitations":"a@example.com"})"), expected);
}

TEST(InviteRequestErrors, TooManyInvitations) {
  const std::string two = R"({"invitations":[{"email":"a@example.com"},{"email":"b@example.com"}]})";
  const Errors expected{
      {"Invitations", {"The field Invitations must be a string or array type with a maximum length of '1'."}}};
  EXPECT_EQ(rejected(two, 1), expected);
  EXPECT_EQ(accepted(two, 2).invitations.size(), 2u);
}

TEST(InviteRequestErrors, BodyThatIsNotAJsonObject) {
  const Errors expected{{"$", {"The request body is not valid JSON."}}};
  for (const char* body : {"", "not json", R"({"invitations":[)", "[]", "42", "null", R"("text")",
                           "{\"invitations\":[],\"culture\":\"\xff\"}"}) {
    EXPECT_EQ(rejected(body), expected) << "body " << body;
  }
}

TEST(InviteRequestErrors, ANulByteAnywhereIsNotJson) {
  // The parser would stop at the NUL and take what came before for the whole body.
  using namespace std::string_literals;
  const Errors expected{{"$", {"The request body is not valid JSON."}}};
  for (const std::string& body : {"{\"invitations\":[]}\0"s, "{\"invitations\":[]} \0{\"more\":1}"s,
                                  "\0{\"invitations\":[]}"s, "{\"invitations\":[{\"email\":\"a\0@example.com\"}]}"s}) {
    EXPECT_EQ(rejected(body), expected) << "NUL at " << body.find('\0');
  }
}

TEST(InviteRequestCulture, WellFormedCulturesOnly) {
  EXPECT_EQ(accepted(R"({"invitations":[],"culture":"en"})").culture, "en");
  EXPECT_EQ(accepted(R"({"invitations":[],"culture":"en-US"})").culture, "en-US");
  const Errors expected{{"Culture", {"Incorrect culture"}}};
  for (const char* culture : {R"("EN")", R"("en_US")", R"("eng")", R"("en-us")", R"("")", R"("some text")", "1"}) {
    EXPECT_EQ(rejected(std::string(R"({"invitations":[],"culture":)") + culture + "}"), expected)
        << "culture " << culture;
  }
}

TEST(ValidationErrorsAdd, GroupsMessagesOfOneKey) {
  ValidationErrors errors;
  errors.add("Invitations[0].Email", "Incorrect email");
  errors.add("Culture", "Incorrect culture");
  errors.add("Invitations[0].Email", "Another");
  const Errors expected{{"Invitations[0].Email", {"Incorrect email", "Another"}}, {"Culture", {"Incorrect culture"}}};
  EXPECT_EQ(errors.errors, expected);
  EXPECT_FALSE(errors.empty());
}

}  // namespace
}  // namespace invite::gateway
