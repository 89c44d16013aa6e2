#include "responses.hpp"

#include "invite/http/error_envelope.hpp"

#include <gtest/gtest.h>

#include <string>

namespace invite::gateway {
namespace {

using namespace invite::domain;

Portal docs_portal() {
  Portal portal;
  portal.host = "docs.example.com";
  portal.display_name = "Example Docs";
  portal.base_url = "https://docs.example.com";
  portal.default_culture = "en-US";
  return portal;
}

User pending_user(std::string id, std::string email, EmployeeType type) {
  User user;
  user.id = std::move(id);
  user.portal = "docs.example.com";
  user.email = std::move(email);
  user.user_name = "ignored";
  user.type = type;
  user.culture = "en-US";
  return user;
}

// Hash values below were computed independently (FNV-1a 32-bit of the file name, outside this code base).
TEST(DefaultAvatarHash, IsFnv1a32OfTheFileName) {
  EXPECT_EQ(default_avatar_hash(""), 2166136261ul);
  EXPECT_EQ(default_avatar_hash("a"), 0xe40c292cul);
  EXPECT_EQ(default_avatar_hash("default_user_photo_size_82-82.png"), 3866849608ul);
  EXPECT_EQ(default_avatar_hash("default_user_photo_size_32-32.png"), 3714545550ul);
}

TEST(EmployeeDtoJson, InvitedUserWithoutNamesShowsTheEmail) {
  const auto user = pending_user("0b6c5a2e-1111-4222-8333-444455556666", "Adele94@Gmail.com", EmployeeType::User);
  EXPECT_EQ(employee_dto_json(user, docs_portal()),
            R"({"id":"0b6c5a2e-1111-4222-8333-444455556666","displayName":"Adele94@Gmail.com","title":"",)"
            R"("avatar":"/static/images/default_user_photo_size_82-82.png?hash=3866849608",)"
            R"("avatarOriginal":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMax":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMedium":"/static/images/default_user_photo_size_48-48.png?hash=1841497628",)"
            R"("avatarSmall":"/static/images/default_user_photo_size_32-32.png?hash=3714545550",)"
            R"("profileUrl":"https://docs.example.com/accounts/people/filter?search=adele94%40gmail.com",)"
            R"("hasAvatar":false,"isAnonim":false})");
}

TEST(EmployeeDtoJson, GuestsLinkToTheGuestListAndNamesAreJoined) {
  auto user = pending_user("11111111-2222-4333-8444-555555555555", "Guest+1@Example.com", EmployeeType::Guest);
  user.first_name = "Ada";
  user.last_name = "Lovelace";
  EXPECT_EQ(employee_dto_json(user, docs_portal()),
            R"({"id":"11111111-2222-4333-8444-555555555555","displayName":"Ada Lovelace","title":"",)"
            R"("avatar":"/static/images/default_user_photo_size_82-82.png?hash=3866849608",)"
            R"("avatarOriginal":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMax":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMedium":"/static/images/default_user_photo_size_48-48.png?hash=1841497628",)"
            R"("avatarSmall":"/static/images/default_user_photo_size_32-32.png?hash=3714545550",)"
            R"("profileUrl":"https://docs.example.com/accounts/guests/filter?search=guest%2B1%40example.com",)"
            R"("hasAvatar":false,"isAnonim":false})");
}

TEST(EmployeeDtoJson, OnlyOneNameHasNoStraySpace) {
  auto user = pending_user("id", "x@example.com", EmployeeType::RoomAdmin);
  user.last_name = "Hopper";
  EXPECT_NE(employee_dto_json(user, docs_portal()).find(R"("displayName":"Hopper",)"), std::string::npos);
  user.first_name = "Grace";
  user.last_name = "";
  EXPECT_NE(employee_dto_json(user, docs_portal()).find(R"("displayName":"Grace",)"), std::string::npos);
}

TEST(SuccessEnvelope, ListsUsersInOrderWithCountAndLink) {
  Portal portal = docs_portal();
  portal.base_url = "http://localhost:8080";
  const std::vector<User> users{pending_user("id-1", "a@example.com", EmployeeType::User),
                                pending_user("id-2", "b@example.com", EmployeeType::DocSpaceAdmin)};
  EXPECT_EQ(success_envelope(users, portal, "http://localhost:8080/api/2.0/people/invite"),
            R"({"response":[)"
            R"({"id":"id-1","displayName":"a@example.com","title":"",)"
            R"("avatar":"/static/images/default_user_photo_size_82-82.png?hash=3866849608",)"
            R"("avatarOriginal":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMax":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMedium":"/static/images/default_user_photo_size_48-48.png?hash=1841497628",)"
            R"("avatarSmall":"/static/images/default_user_photo_size_32-32.png?hash=3714545550",)"
            R"("profileUrl":"http://localhost:8080/accounts/people/filter?search=a%40example.com",)"
            R"("hasAvatar":false,"isAnonim":false},)"
            R"({"id":"id-2","displayName":"b@example.com","title":"",)"
            R"("avatar":"/static/images/default_user_photo_size_82-82.png?hash=3866849608",)"
            R"("avatarOriginal":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMax":"/static/images/default_user_photo_size_200-200.png?hash=623097602",)"
            R"("avatarMedium":"/static/images/default_user_photo_size_48-48.png?hash=1841497628",)"
            R"("avatarSmall":"/static/images/default_user_photo_size_32-32.png?hash=3714545550",)"
            R"("profileUrl":"http://localhost:8080/accounts/people/filter?search=b%40example.com",)"
            R"("hasAvatar":false,"isAnonim":false}],)"
            R"("count":2,"links":[{"href":"http://localhost:8080/api/2.0/people/invite","action":"POST"}],)"
            R"("status":0,"statusCode":200})");
}

TEST(SuccessEnvelope, EmptyListIsAnEmptyArray) {
  EXPECT_EQ(success_envelope({}, docs_portal(), "https://docs.example.com/api/2.0/people/invite"),
            R"({"response":[],"count":0,"links":[{"href":"https://docs.example.com/api/2.0/people/invite",)"
            R"("action":"POST"}],"status":0,"statusCode":200})");
}

TEST(ValidationEnvelope, KeepsErrorOrderAndGroupsMessages) {
  ValidationErrors errors;
  errors.add("Invitations[1].Email", "Incorrect email");
  errors.add("$.invitations[0].type", "The JSON value could not be converted to EmployeeType.");
  errors.add("Culture", "Incorrect culture");
  errors.add("Invitations[1].Email", "Second message");
  EXPECT_EQ(validation_envelope(errors, "https://docs.example.com/api/2.0/people/invite",
                                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"),
            R"({"response":{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1",)"
            R"("title":"One or more validation errors occurred.","status":400,)"
            R"("errors":{"Invitations[1].Email":["Incorrect email","Second message"],)"
            R"("$.invitations[0].type":["The JSON value could not be converted to EmployeeType."],)"
            R"("Culture":["Incorrect culture"]},)"
            R"("traceId":"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"},)"
            R"("count":1,"links":[{"href":"https://docs.example.com/api/2.0/people/invite","action":"POST"}],)"
            R"("status":1,"statusCode":400})");
}

TEST(ErrorEnvelope, CarriesMessageTypeAndStatusOnly) {
  EXPECT_EQ(http::error_envelope(403, "Access denied", "access_denied"),
            R"({"error":{"message":"Access denied","type":"access_denied"},"status":1,"statusCode":403})");
  EXPECT_EQ(http::error_envelope(402, "The number of admins exceeds the limit: 3/1.", "paid_seats_exceeded"),
            R"({"error":{"message":"The number of admins exceeds the limit: 3/1.","type":"paid_seats_exceeded"},)"
            R"("status":1,"statusCode":402})");
}

TEST(ErrorEnvelope, EscapesQuotesAndSurvivesInvalidUtf8) {
  EXPECT_EQ(http::error_envelope(400, "The user is disabled: \"q\"@example.com", "user_disabled"),
            R"({"error":{"message":"The user is disabled: \"q\"@example.com","type":"user_disabled"},)"
            R"("status":1,"statusCode":400})");
  const auto body = http::error_envelope(404, "Portal not found: \xff", "portal_not_found");
  EXPECT_EQ(body,
            "{\"error\":{\"message\":\"Portal not found: \xEF\xBF\xBD\",\"type\":\"portal_not_found\"},"
            "\"status\":1,\"statusCode\":404}");
}

TEST(UrlEncode, KeepsUnreservedAndEncodesTheRest) {
  EXPECT_EQ(url_encode("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(url_encode("a+b@c.com"), "a%2Bb%40c.com");
  EXPECT_EQ(url_encode("x y/z?&=%"), "x%20y%2Fz%3F%26%3D%25");
  EXPECT_EQ(url_encode("\xC3\xA9"), "%C3%A9");
  EXPECT_EQ(url_encode(""), "");
}

}  // namespace
}  // namespace invite::gateway
