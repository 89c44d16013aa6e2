#include "lifecycle_requests.hpp"

#include <gtest/gtest.h>

namespace invite::gateway {
namespace {

using domain::EmployeeType;

constexpr std::string_view kUid = "6F1E2D3C-0000-4000-8000-000000000001";

// The first error key, or "" when the parse succeeded.
template <class T>
std::string first_error(const boost::system::result<T, ValidationErrors>& result) {
  if (result) return "";
  return result.error().errors.front().first;
}

template <class T>
std::string first_message(const boost::system::result<T, ValidationErrors>& result) {
  if (result) return "";
  return result.error().errors.front().second.front();
}

const std::string kConfirm = R"({"type":"LinkInvite","key":"1700000000000.abc","encemail":"xyz","uid":")" +
                             std::string(kUid) + R"(","emplType":"4","culture":"en-US"})";

TEST(ParseConfirmRequest, ReadsTheWebClientsBody) {
  const auto request = parse_confirm_request(kConfirm).value();
  EXPECT_EQ(request.link, (domain::LinkValues{"1700000000000.abc", std::nullopt, "xyz", EmployeeType::User,
                                              "6f1e2d3c-0000-4000-8000-000000000001"}));
}

TEST(ParseConfirmRequest, ReadsTheSdksSpellingAndNumbers) {
  const auto request = parse_confirm_request(R"({"Type":1,"Key":"1.a","EncEmail":"xyz","UiD":")" + std::string(kUid) +
                                             R"(","EmplType":1})")
                           .value();
  EXPECT_EQ(request.link.type, EmployeeType::RoomAdmin);
}

TEST(ParseConfirmRequest, AcceptsTheTypeAsANumericString) {
  EXPECT_TRUE(parse_confirm_request(R"({"type":"1","key":"1.a","email":"a@b.io"})"));
}

TEST(ParseConfirmRequest, KeepsThePlainEmail) {
  EXPECT_EQ(parse_confirm_request(R"({"type":1,"key":"1.a","email":"a@b.io","encemail":"x"})").value().link.email,
            "a@b.io");
}

TEST(ParseConfirmRequest, RequiresTheType) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"key":"1.a","email":"a@b.io"})")), "Type");
}

TEST(ParseConfirmRequest, RefusesAnotherConfirmationKind) {
  EXPECT_EQ(first_message(parse_confirm_request(R"({"type":"EmpInvite","key":"1.a","email":"a@b.io"})")),
            "Only LinkInvite links are confirmed here.");
}

TEST(ParseConfirmRequest, RequiresTheKey) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"email":"a@b.io"})")), "Key");
}

TEST(ParseConfirmRequest, RefusesAnOverlongKey) {
  EXPECT_EQ(
      first_message(parse_confirm_request(R"({"type":1,"email":"a@b.io","key":")" + std::string(200, 'k') + R"("})")),
      "The Key is too long.");
}

TEST(ParseConfirmRequest, RequiresAnEmailOrEncemail) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":"1.a"})")), "Email");
}

TEST(ParseConfirmRequest, RefusesAnEmplTypeOutOfRange) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":"1.a","email":"a@b.io","emplType":"9"})")),
            "$.emplType");
}

TEST(ParseConfirmRequest, LeavesOutAUidThatIsNotAUuid) {
  const auto request = parse_confirm_request(R"({"type":1,"key":"1.a","email":"a@b.io","emplType":4,"uid":"x"})");
  ASSERT_TRUE(request);
  EXPECT_FALSE(request->link.inviter_id.has_value());
}

TEST(ParseConfirmRequest, RefusesAKeyOfTheWrongJsonType) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":5,"email":"a@b.io"})")), "$.key");
}

TEST(ParseConfirmRequest, RefusesAMalformedCulture) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":"1.a","email":"a@b.io","culture":"xx_1"})")),
            "Culture");
}

TEST(ParseConfirmRequest, RefusesADuplicateProperty) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":"1.a","email":"a@b.io","EMAIL":"c@d.io"})")), "$");
}

// A control character is in no key or address the worker issued: refused before anything is published.
TEST(ParseConfirmRequest, RefusesAControlCharacterInTheKey) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":"1.a\u0000b","email":"a@b.io"})")), "Key");
}

TEST(ParseConfirmRequest, RefusesAControlCharacterInTheEncemail) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":"1.a","encemail":"xy\u007fz"})")), "EncEmail");
}

TEST(ParseConfirmRequest, RefusesAControlCharacterInTheEmail) {
  EXPECT_EQ(first_error(parse_confirm_request(R"({"type":1,"key":"1.a","email":"a@b.io\u000a"})")), "Email");
}

TEST(ParseConfirmHeader, ReadsTheLinksQueryString) {
  const auto link =
      parse_confirm_header("type=LinkInvite&key=1700000000000.ab-c_d&encemail=x%2By&uid=" + std::string(kUid) +
                           "&emplType=1&culture=en-US")
          .value();
  EXPECT_EQ(link, (domain::LinkValues{"1700000000000.ab-c_d", std::nullopt, "x+y", EmployeeType::RoomAdmin,
                                      "6f1e2d3c-0000-4000-8000-000000000001"}));
}

TEST(ParseConfirmHeader, RefusesAMalformedEscape) {
  EXPECT_EQ(first_error(parse_confirm_header("type=LinkInvite&key=1.a%G0&email=a@b.io")), "confirm");
}

TEST(ParseConfirmHeader, RefusesAParameterGivenTwice) {
  EXPECT_EQ(first_message(parse_confirm_header("type=LinkInvite&key=1.a&email=a@b.io&Key=2.b")),
            "the parameter 'key' is given more than once");
}

TEST(ParseConfirmHeader, RefusesAnEscapedControlCharacter) {
  EXPECT_EQ(first_message(parse_confirm_header("type=LinkInvite&key=1.a%00b&email=a@b.io")),
            "the query string holds a control character");
}

TEST(ParseConfirmHeader, RequiresTheType) {
  EXPECT_EQ(first_error(parse_confirm_header("key=1.a&email=a@b.io")), "Type");
}

const std::string kAccept =
    R"({"fromInviteLink":true,"email":"alice@example.com","type":"4","key":"1.a","firstName":" Alice ",)"
    R"("lastName":"Smith","password":"correct horse","cultureName":"en-US","spam":false})";

TEST(ParseAcceptRequest, ReadsTheWebClientsBody) {
  const auto request = parse_accept_request(kAccept, {}).value();
  EXPECT_EQ(request.type, EmployeeType::User);
  EXPECT_EQ(request.first_name, "Alice");
  EXPECT_EQ(request.password, "correct horse");
}

TEST(ParseAcceptRequest, RefusesAControlCharacterInTheKey) {
  const auto body = R"({"fromInviteLink":true,"email":"a@b.io","type":4,"key":"1.a\u0001","firstName":"A",)"
                    R"("lastName":"B","password":"correct horse"})";
  EXPECT_EQ(first_error(parse_accept_request(body, {})), "Key");
}

TEST(ParseAcceptRequest, TakesAPasswordHashAsGiven) {
  const auto request =
      parse_accept_request(R"({"fromInviteLink":true,"email":"a@b.io","type":4,"key":"1.a","firstName":"A",)"
                           R"("lastName":"B","passwordHash":"abc"})",
                           {})
          .value();
  EXPECT_EQ(request.password_hash, "abc");
}

TEST(ParseAcceptRequest, RequiresFromInviteLink) {
  EXPECT_EQ(first_error(parse_accept_request(R"({"email":"a@b.io","type":4,"key":"1.a","firstName":"A",)"
                                             R"("lastName":"B","password":"12345678"})",
                                             {})),
            "FromInviteLink");
}

TEST(ParseAcceptRequest, RefusesFromInviteLinkAsAString) {
  EXPECT_EQ(first_error(parse_accept_request(R"({"fromInviteLink":"true","email":"a@b.io","type":4,"key":"1.a",)"
                                             R"("firstName":"A","lastName":"B","password":"12345678"})",
                                             {})),
            "$.fromInviteLink");
}

TEST(ParseAcceptRequest, NamesTheLengthPolicyOfAShortPassword) {
  auto body = kAccept;
  body.replace(body.find("correct horse"), 13, "short");
  EXPECT_EQ(first_message(parse_accept_request(body, {})), "The password must be at least 8 characters long.");
}

TEST(ParseAcceptRequest, NamesEveryMissingClassOfTheStrictPolicy) {
  const domain::PasswordPolicy strict{8, 120, true, true, true};
  EXPECT_EQ(parse_accept_request(kAccept, strict).error().errors.front().second.size(), 3U);
}

TEST(ParseAcceptRequest, NeverEchoesThePassword) {
  auto body = kAccept;
  body.replace(body.find("correct horse"), 13, "secret");
  for (const auto& [key, messages] : parse_accept_request(body, {}).error().errors) {
    for (const auto& message : messages) EXPECT_EQ(message.find("secret"), std::string::npos);
  }
}

TEST(ParseAcceptRequest, RefusesBothPasswordAndHash) {
  auto body = kAccept;
  body.insert(body.size() - 1, R"(,"passwordHash":"abc")");
  EXPECT_EQ(first_message(parse_accept_request(body, {})), "Send either Password or PasswordHash.");
}

TEST(ParseAcceptRequest, RefusesAnEmptyFirstName) {
  auto body = kAccept;
  body.replace(body.find("\" Alice \""), 9, "\"  \"");
  EXPECT_EQ(first_error(parse_accept_request(body, {})), "FirstName");
}

TEST(ParseAcceptRequest, RefusesMarkupInTheLastName) {
  auto body = kAccept;
  body.replace(body.find("\"Smith\""), 7, "\"<b>\"");
  EXPECT_EQ(first_error(parse_accept_request(body, {})), "LastName");
}

TEST(ParseAcceptRequest, RefusesAnInvalidEmail) {
  auto body = kAccept;
  body.replace(body.find("alice@example.com"), 17, "not-an-email");
  EXPECT_EQ(first_error(parse_accept_request(body, {})), "Email");
}

TEST(ParseAcceptRequest, RefusesAMissingType) {
  auto body = kAccept;
  body.replace(body.find(R"("type":"4",)"), 11, "");
  EXPECT_EQ(first_error(parse_accept_request(body, {})), "$.type");
}

TEST(ParseAcceptRequest, RefusesSpamAsANumber) {
  auto body = kAccept;
  body.replace(body.find("\"spam\":false"), 12, "\"spam\":0");
  EXPECT_EQ(first_error(parse_accept_request(body, {})), "$.spam");
}

TEST(ParseResendRequest, ReadsIdsAndResendAll) {
  const auto request = parse_resend_request(R"({"userIds":[")" + std::string(kUid) + R"("],"resendAll":false})");
  EXPECT_EQ(request.value().user_ids, std::vector<std::string>{"6f1e2d3c-0000-4000-8000-000000000001"});
}

TEST(ParseResendRequest, ReadsResendAllWithoutIds) {
  EXPECT_TRUE(parse_resend_request(R"({"resendAll":true})").value().resend_all);
}

TEST(ParseResendRequest, CountsARepeatedIdOnce) {
  const auto id = std::string(kUid);
  EXPECT_EQ(parse_resend_request(R"({"userIds":[")" + id + R"(",")" + id + R"("]})").value().user_ids.size(), 1U);
}

TEST(ParseResendRequest, RefusesAnIdThatIsNotAUuid) {
  EXPECT_EQ(first_error(parse_resend_request(R"({"userIds":["x"]})")), "$.userIds[0]");
}

TEST(ParseResendRequest, RefusesResendAllAsAString) {
  EXPECT_EQ(first_error(parse_resend_request(R"({"resendAll":"true"})")), "$.resendAll");
}

TEST(ParseResendRequest, RefusesTooManyIds) {
  std::string body = R"({"userIds":[)";
  for (std::size_t i = 0; i <= kMaxUserIds; ++i) body += (i ? ",\"" : "\"") + std::string(kUid) + "\"";
  body += "]}";
  EXPECT_EQ(first_error(parse_resend_request(body)), "UserIds");
}

TEST(ParseUserIdsRequest, RequiresTheIds) { EXPECT_EQ(first_error(parse_user_ids_request("{}")), "UserIds"); }

TEST(ParseUserIdsRequest, RefusesIdsThatAreNotAnArray) {
  EXPECT_EQ(first_error(parse_user_ids_request(R"({"userIds":"x"})")), "$.userIds");
}

TEST(ParseUserIdsRequest, ReadsTheIdsInLowerCase) {
  EXPECT_EQ(parse_user_ids_request(R"({"UserIds":[")" + std::string(kUid) + R"("]})").value(),
            std::vector<std::string>{"6f1e2d3c-0000-4000-8000-000000000001"});
}

}  // namespace
}  // namespace invite::gateway
