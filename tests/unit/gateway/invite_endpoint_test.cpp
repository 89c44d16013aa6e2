// A gateway endpoint wired to fakes: a publisher that records what it was asked to publish, a scheduler that keeps
// the deadline callbacks for the test to fire, a fixed clock and counter-based ids.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "gateway_test_support.hpp"
#include "invite/auth/token.hpp"
#include "invite/common/metrics.hpp"
#include "invite/domain/portal.hpp"
#include "invite_endpoint.hpp"
#include "pending_requests.hpp"
#include "request_publisher.hpp"
#include "responses.hpp"

namespace invite::gateway {
namespace {

class GatewayFixture : public ::testing::Test, protected FakeSurroundings {
 protected:
  explicit GatewayFixture(std::size_t capacity = 100) : FakeSurroundings(capacity) {}

  void SetUp() override { endpoint_ = std::make_unique<InviteEndpoint>(environment(), settings_); }

  static std::string token(domain::Role role, std::string_view portal = "localhost", std::string_view user = kOwnerId,
                           std::int64_t expires_at_s = kNowMs / 1000 + 3600) {
    return test_token(role, portal, user, expires_at_s);
  }

  // A request that passes every check unless the test changes it.
  static http::Request request(std::string body, domain::Role role = domain::Role::Owner) {
    http::Request r;
    r.method = "POST";
    r.target = "/api/2.0/people/invite";
    r.headers = {
        {"Host", "localhost:8080"}, {"Content-Type", "application/json"}, {"Authorization", "Bearer " + token(role)}};
    r.body = std::move(body);
    return r;
  }

  static void set_header(http::Request& r, const std::string& name, std::string value) {
    for (auto& [key, v] : r.headers) {
      if (key == name) {
        v = std::move(value);
        return;
      }
    }
    r.headers.emplace_back(name, std::move(value));
  }
  static void remove_header(http::Request& r, const std::string& name) {
    std::erase_if(r.headers, [&](const auto& h) { return h.first == name; });
  }

  void send(http::Request r) {
    (*endpoint_)(std::move(r), [this](http::Response response) { responses_.push_back(std::move(response)); });
  }

  // The one response of the test; fails when there is none or more than one.
  const http::Response& only_response() const {
    EXPECT_EQ(responses_.size(), 1u);
    if (responses_.empty()) {
      static const http::Response kNone{0, {}, {}};
      return kNone;
    }
    return responses_.front();
  }

  // Acknowledges the last publish and answers it with `reply` (request id and portal filled in).
  void ack_and_reply(events::InviteReply reply) {
    ASSERT_FALSE(publisher_.calls.empty());
    auto& call = publisher_.calls.back();
    call.on_done({});
    ASSERT_FALSE(call.records.empty());
    reply.request_id = call.records.front().request_id;
    reply.portal = call.records.front().portal;
    EXPECT_TRUE(pending_.complete(reply.request_id, reply));
  }

  InviteSettings settings_{std::chrono::milliseconds(7000), 1000, 3};
  std::unique_ptr<InviteEndpoint> endpoint_;
  std::vector<http::Response> responses_;
};

using domain::EmployeeType;
using domain::Role;

constexpr const char* kOneUser = R"({"invitations":[{"email":"ann@example.com","type":"User"}]})";

domain::User user(std::string id, std::string email, EmployeeType type) {
  domain::User u;
  u.id = std::move(id);
  u.portal = "localhost";
  u.email = email;
  u.user_name = email.substr(0, email.find('@'));
  u.type = type;
  u.culture = "en-GB";
  u.created_by = std::string(kOwnerId);
  u.created_at_ms = kNowMs;
  return u;
}

// ---------------------------------------------------------------- portal

TEST_F(GatewayFixture, UnknownHostIs404PortalNotFound) {
  auto r = request(kOneUser);
  set_header(r, "Host", "nowhere.example");
  send(std::move(r));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(body_of(response)["error"]["message"], "Portal not found");
  EXPECT_EQ(error_type_of(response), "PortalNotFound");
  EXPECT_TRUE(publisher_.calls.empty());
}

TEST_F(GatewayFixture, HostPortIsStrippedBeforeLookup) {
  send(request(kOneUser));  // Host: localhost:8080
  EXPECT_TRUE(responses_.empty()) << "waits for the worker";
  ASSERT_EQ(publisher_.calls.size(), 1u);
  EXPECT_EQ(publisher_.calls[0].records[0].portal, "localhost");
}

// ---------------------------------------------------------------- auth

TEST_F(GatewayFixture, MissingTokenIs401WithoutSetCookie) {
  auto r = request(kOneUser);
  remove_header(r, "Authorization");
  send(std::move(r));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 401);
  EXPECT_EQ(error_type_of(response), "Unauthorized");
  EXPECT_EQ(header_of(response, "Set-Cookie"), "");
  EXPECT_TRUE(publisher_.calls.empty());
}

TEST_F(GatewayFixture, GarbageBearerTokenIs401WithoutSetCookie) {
  auto r = request(kOneUser);
  set_header(r, "Authorization", "Bearer not.a.jwt");
  send(std::move(r));
  EXPECT_EQ(only_response().status, 401);
  EXPECT_EQ(header_of(only_response(), "Set-Cookie"), "");
  EXPECT_TRUE(publisher_.calls.empty());
}

TEST_F(GatewayFixture, ExpiredTokenIs401) {
  auto r = request(kOneUser);
  set_header(r, "Authorization", "Bearer " + token(Role::Owner, "localhost", kOwnerId, kNowMs / 1000 - 1));
  send(std::move(r));
  EXPECT_EQ(only_response().status, 401);
  EXPECT_TRUE(publisher_.calls.empty());
}

TEST_F(GatewayFixture, TokenOfAnotherPortalIs401) {
  auto r = request(kOneUser);
  set_header(r, "Authorization", "Bearer " + token(Role::Owner, "closed.example"));
  send(std::move(r));
  EXPECT_EQ(only_response().status, 401);
  EXPECT_TRUE(publisher_.calls.empty());
}

TEST_F(GatewayFixture, RejectedCookieIsExpiredWithSetCookie) {
  auto r = request(kOneUser);
  remove_header(r, "Authorization");
  set_header(r, "Cookie", "theme=dark; asc_auth_key=garbage");
  send(std::move(r));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 401);
  const auto cookie = header_of(response, "Set-Cookie");
  EXPECT_TRUE(cookie.starts_with("asc_auth_key=;")) << cookie;
  EXPECT_NE(cookie.find("Max-Age=0"), std::string::npos) << cookie;
  EXPECT_NE(cookie.find("1970"), std::string::npos) << cookie;
}

TEST_F(GatewayFixture, ValidCookieIsAccepted) {
  auto r = request(kOneUser);
  remove_header(r, "Authorization");
  set_header(r, "Cookie", "asc_auth_key=" + token(Role::DocSpaceAdmin));
  send(std::move(r));
  EXPECT_TRUE(responses_.empty());
  ASSERT_EQ(publisher_.calls.size(), 1u);
  EXPECT_EQ(publisher_.calls[0].records[0].inviter_role, Role::DocSpaceAdmin);
}

TEST_F(GatewayFixture, CookieWinsOverAuthorizationHeader) {
  // A valid cookie with a bad header is accepted ...
  auto good_cookie = request(kOneUser);
  set_header(good_cookie, "Authorization", "Bearer garbage");
  set_header(good_cookie, "Cookie", "asc_auth_key=" + token(Role::RoomAdmin));
  send(std::move(good_cookie));
  EXPECT_TRUE(responses_.empty());
  ASSERT_EQ(publisher_.calls.size(), 1u);
  EXPECT_EQ(publisher_.calls[0].records[0].inviter_role, Role::RoomAdmin);

  // ... and a bad cookie is not rescued by a valid header.
  auto bad_cookie = request(kOneUser);  // valid Owner bearer token
  set_header(bad_cookie, "Cookie", "asc_auth_key=garbage");
  send(std::move(bad_cookie));
  ASSERT_EQ(responses_.size(), 1u);
  EXPECT_EQ(responses_[0].status, 401);
  EXPECT_NE(header_of(responses_[0], "Set-Cookie"), "");
  EXPECT_EQ(publisher_.calls.size(), 1u);
}

TEST_F(GatewayFixture, AuthIsCheckedBeforeContentType) {
  auto r = request(kOneUser);
  remove_header(r, "Authorization");
  set_header(r, "Content-Type", "text/plain");
  send(std::move(r));
  EXPECT_EQ(only_response().status, 401);
}

// ---------------------------------------------------------------- content type

class ContentTypeRejected : public GatewayFixture, public ::testing::WithParamInterface<const char*> {};

TEST_P(ContentTypeRejected, Is415AndNothingPublished) {
  auto r = request(kOneUser);
  if (std::string(GetParam()).empty()) {
    remove_header(r, "Content-Type");
  } else {
    set_header(r, "Content-Type", GetParam());
  }
  send(std::move(r));
  EXPECT_EQ(only_response().status, 415);
  EXPECT_EQ(error_type_of(only_response()), "UnsupportedMediaType");
  EXPECT_TRUE(publisher_.calls.empty());
}
INSTANTIATE_TEST_SUITE_P(Gateway, ContentTypeRejected,
                         ::testing::Values("text/plain", "", "application/xml", "multipart/form-data"));

class ContentTypeAccepted : public GatewayFixture, public ::testing::WithParamInterface<const char*> {};

TEST_P(ContentTypeAccepted, IsPublished) {
  auto r = request(kOneUser);
  set_header(r, "Content-Type", GetParam());
  send(std::move(r));
  EXPECT_TRUE(responses_.empty()) << (responses_.empty() ? "" : responses_[0].body);
  EXPECT_EQ(publisher_.calls.size(), 1u);
}
INSTANTIATE_TEST_SUITE_P(Gateway, ContentTypeAccepted,
                         ::testing::Values("application/json; charset=utf-8", "text/json",
                                           "application/merge-patch+json", "Application/JSON"));

// ---------------------------------------------------------------- validation

TEST_F(GatewayFixture, BadSecondEmailIs400EnvelopeKeyedByIndex) {
  send(
      request(R"({"invitations":[{"email":"ann@example.com","type":"User"},{"email":"not-an-email","type":"User"}]})"));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 400);
  const auto body = body_of(response);
  EXPECT_EQ(body["statusCode"], 400);
  EXPECT_EQ(body["status"], 1);
  const auto& errors = body["response"]["errors"];
  ASSERT_TRUE(errors.contains("Invitations[1].Email")) << response.body;
  EXPECT_EQ(errors["Invitations[1].Email"], nlohmann::json::array({"Incorrect email"}));
  EXPECT_FALSE(errors.contains("Invitations[0].Email"));
  EXPECT_EQ(body["links"][0]["href"], kInviteUrl);
  EXPECT_TRUE(publisher_.calls.empty());
  EXPECT_EQ(pending_.size(), 0u);
}

TEST_F(GatewayFixture, ValidationTraceIdFollowsTraceparent) {
  auto r = request(R"({"invitations":[{"email":"bad"}]})");
  r.headers.emplace_back("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  send(std::move(r));
  EXPECT_EQ(only_response().status, 400);
  EXPECT_EQ(body_of(only_response())["response"]["traceId"], "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
}

// ---------------------------------------------------------------- permissions

struct DeniedCase {
  const char* name;
  Role caller;
  const char* portal;
  const char* body;
};

class AccessDenied : public GatewayFixture, public ::testing::WithParamInterface<DeniedCase> {};

TEST_P(AccessDenied, Is403AndNothingPublished) {
  const auto& c = GetParam();
  auto r = request(c.body);
  set_header(r, "Host", c.portal);
  set_header(r, "Authorization", "Bearer " + token(c.caller, c.portal));
  send(std::move(r));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 403) << response.body;
  EXPECT_EQ(body_of(response)["error"]["message"], "Access denied");
  EXPECT_EQ(error_type_of(response), "AccessDenied");
  EXPECT_TRUE(publisher_.calls.empty());
  EXPECT_EQ(pending_.size(), 0u);
}

INSTANTIATE_TEST_SUITE_P(
    Gateway, AccessDenied,
    ::testing::Values(
        DeniedCase{"RoomAdminInvitesDocSpaceAdmin", Role::RoomAdmin, "localhost",
                   R"({"invitations":[{"email":"a@example.com","type":"DocSpaceAdmin"}]})"},
        DeniedCase{"RoomAdminInvitesRoomAdmin", Role::RoomAdmin, "localhost",
                   R"({"invitations":[{"email":"a@example.com","type":"RoomAdmin"}]})"},
        DeniedCase{"RoomAdminOmitsType", Role::RoomAdmin, "localhost",
                   R"({"invitations":[{"email":"a@example.com"}]})"},
        DeniedCase{"RoomAdminSendsAll", Role::RoomAdmin, "localhost",
                   R"({"invitations":[{"email":"a@example.com","type":"All"}]})"},
        DeniedCase{"DocSpaceAdminInvitesDocSpaceAdmin", Role::DocSpaceAdmin, "localhost",
                   R"({"invitations":[{"email":"a@example.com","type":3}]})"},
        DeniedCase{"UserCaller", Role::User, "localhost",
                   R"({"invitations":[{"email":"a@example.com","type":"User"}]})"},
        DeniedCase{"GuestCaller", Role::Guest, "localhost",
                   R"({"invitations":[{"email":"a@example.com","type":"User"}]})"},
        DeniedCase{"OwnerInvitesGuest", Role::Owner, "localhost",
                   R"({"invitations":[{"email":"a@example.com","type":"Guest"}]})"},
        DeniedCase{
            "OneDeniedAmongAllowed", Role::RoomAdmin, "localhost",
            R"({"invitations":[{"email":"a@example.com","type":"User"},{"email":"b@example.com","type":"RoomAdmin"}]})"},
        DeniedCase{"InvitingMembersDisabled", Role::Owner, "closed.example",
                   R"({"invitations":[{"email":"a@example.com","type":"User"}]})"}),
    [](const ::testing::TestParamInfo<DeniedCase>& param_info) { return std::string(param_info.param.name); });

TEST_F(GatewayFixture, RoomAdminMayInviteUsers) {
  send(request(kOneUser, Role::RoomAdmin));
  EXPECT_TRUE(responses_.empty());
  EXPECT_EQ(publisher_.calls.size(), 1u);
}

TEST_F(GatewayFixture, OmittedTypeIsPublishedAsRoomAdmin) {
  send(request(R"({"invitations":[{"email":"a@example.com"}]})", Role::DocSpaceAdmin));
  ASSERT_EQ(publisher_.calls.size(), 1u);
  EXPECT_EQ(publisher_.calls[0].records[0].invitation.type, EmployeeType::RoomAdmin);
}

// ---------------------------------------------------------------- published records

TEST_F(GatewayFixture, PublishesOneRecordPerInvitationOfOneRequest) {
  const std::string inviter = "22222222-2222-4222-8222-222222222222";
  auto r = request(
      R"({"invitations":[{"email":"Ann@Example.com","type":"User"},{"email":"bob@example.com","type":"DocSpaceAdmin"},{"email":"cy@example.com","type":1}],"culture":"fr-FR"})");
  set_header(r, "Authorization", "Bearer " + token(Role::Owner, "localhost", inviter));
  r.headers.emplace_back("traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  send(std::move(r));

  ASSERT_EQ(publisher_.calls.size(), 1u);
  const auto& call = publisher_.calls[0];
  EXPECT_EQ(call.traceparent, "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_EQ(call.records.size(), 3u);
  const std::string request_id = call.records[0].request_id;
  EXPECT_FALSE(request_id.empty());
  const std::vector<std::pair<std::string, EmployeeType>> expected = {{"Ann@Example.com", EmployeeType::User},
                                                                      {"bob@example.com", EmployeeType::DocSpaceAdmin},
                                                                      {"cy@example.com", EmployeeType::RoomAdmin}};
  for (std::size_t i = 0; i < call.records.size(); ++i) {
    const auto& record = call.records[i];
    SCOPED_TRACE(i);
    EXPECT_EQ(record.index, static_cast<int>(i));
    EXPECT_EQ(record.count, 3);
    EXPECT_EQ(record.request_id, request_id);
    EXPECT_NE(record.event_id, request_id);
    EXPECT_EQ(record.portal, "localhost");
    EXPECT_EQ(record.culture, "fr-FR");
    EXPECT_EQ(record.reply_partition, 3);
    EXPECT_EQ(record.deadline_ms, kNowMs + 7000);
    EXPECT_EQ(record.occurred_at_ms, kNowMs);
    EXPECT_EQ(record.inviter_id, inviter);
    EXPECT_EQ(record.inviter_role, Role::Owner);
    EXPECT_EQ(record.invitation.email, expected[i].first);
    EXPECT_EQ(record.invitation.type, expected[i].second);
  }
  EXPECT_NE(call.records[0].event_id, call.records[1].event_id);

  // Waiting: one pending entry and a deadline timer of the configured timeout.
  EXPECT_EQ(pending_.size(), 1u);
  ASSERT_EQ(scheduled_.size(), 1u);
  EXPECT_EQ(scheduled_[0].delay, std::chrono::milliseconds(7000));
}

TEST_F(GatewayFixture, CultureDefaultsToPortalsDefault) {
  send(request(kOneUser));
  ASSERT_EQ(publisher_.calls.size(), 1u);
  EXPECT_EQ(publisher_.calls[0].records[0].culture, "en-GB");
}

TEST_F(GatewayFixture, MalformedTraceparentIsNotPassedOn) {
  auto r = request(kOneUser);
  r.headers.emplace_back("traceparent", "00-XYZ-1-01");
  send(std::move(r));
  ASSERT_EQ(publisher_.calls.size(), 1u);
  EXPECT_EQ(publisher_.calls[0].traceparent, "");
}

TEST_F(GatewayFixture, SeparateRequestsGetSeparateIds) {
  send(request(kOneUser));
  send(request(kOneUser));
  ASSERT_EQ(publisher_.calls.size(), 2u);
  EXPECT_NE(publisher_.calls[0].records[0].request_id, publisher_.calls[1].records[0].request_id);
  EXPECT_EQ(pending_.size(), 2u);
}

// ---------------------------------------------------------------- replies

TEST_F(GatewayFixture, OkReplyAnswers200WithSuccessEnvelope) {
  send(request(
      R"({"invitations":[{"email":"ann@example.com","type":"User"},{"email":"bob@example.com","type":"RoomAdmin"}]})"));
  publisher_.calls.at(0).on_done({});
  EXPECT_TRUE(responses_.empty()) << "an acknowledged publish still waits for the reply";

  events::InviteReply reply;
  reply.outcome = domain::Outcome::Ok;
  reply.users = {user("aaaaaaaa-0000-4000-8000-000000000001", "ann@example.com", EmployeeType::User),
                 user("aaaaaaaa-0000-4000-8000-000000000002", "bob@example.com", EmployeeType::RoomAdmin)};
  ack_and_reply(reply);

  const auto& response = only_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(header_of(response, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(response.body, success_envelope(reply.users, *portals_.find_by_host_header("localhost"), kInviteUrl));
  const auto body = body_of(response);
  EXPECT_EQ(body["count"], 2);
  EXPECT_EQ(body["response"][1]["id"], "aaaaaaaa-0000-4000-8000-000000000002");
  EXPECT_EQ(pending_.size(), 0u);
}

class AcceptHeader : public GatewayFixture,
                     public ::testing::WithParamInterface<std::pair<const char*, const char*>> {};

TEST_P(AcceptHeader, ContentTypeFollowsAccept) {
  auto r = request(kOneUser);
  r.headers.emplace_back("Accept", GetParam().first);
  send(std::move(r));
  events::InviteReply reply;
  reply.users = {user("aaaaaaaa-0000-4000-8000-000000000001", "ann@example.com", EmployeeType::User)};
  ack_and_reply(reply);
  EXPECT_EQ(only_response().status, 200);
  EXPECT_EQ(header_of(only_response(), "Content-Type"), GetParam().second);
  EXPECT_EQ(body_of(only_response())["count"], 1) << "the body is JSON whatever Accept says";
}
INSTANTIATE_TEST_SUITE_P(Gateway, AcceptHeader,
                         ::testing::Values(std::make_pair("text/plain", "text/plain; charset=utf-8"),
                                           std::make_pair("text/json", "text/json; charset=utf-8"),
                                           std::make_pair("*/*", "application/json; charset=utf-8"),
                                           std::make_pair("application/json", "application/json; charset=utf-8")));

TEST_F(GatewayFixture, ErrorContentTypeFollowsAcceptToo) {
  auto r = request(kOneUser);
  set_header(r, "Host", "nowhere.example");
  r.headers.emplace_back("Accept", "text/plain");
  send(std::move(r));
  EXPECT_EQ(header_of(only_response(), "Content-Type"), "text/plain; charset=utf-8");
}

TEST_F(GatewayFixture, UserDisabledReplyIs400) {
  send(request(kOneUser));
  events::InviteReply reply;
  reply.outcome = domain::Outcome::UserDisabled;
  reply.message = "The user is disabled: ann@example.com";
  ack_and_reply(reply);
  const auto& response = only_response();
  EXPECT_EQ(response.status, 400);
  const auto body = body_of(response);
  EXPECT_EQ(body["error"]["type"], "UserDisabled");
  EXPECT_EQ(body["error"]["message"], "The user is disabled: ann@example.com");
  EXPECT_EQ(body["statusCode"], 400);
}

TEST_F(GatewayFixture, PaidSeatsReplyIs402) {
  send(request(kOneUser));
  events::InviteReply reply;
  reply.outcome = domain::Outcome::PaidSeatsExceeded;
  reply.message = "The number of admins exceeds the limit: 1/0.";
  ack_and_reply(reply);
  EXPECT_EQ(only_response().status, 402);
  EXPECT_EQ(error_type_of(only_response()), "PaidSeatsExceeded");
  EXPECT_EQ(body_of(only_response())["error"]["message"], "The number of admins exceeds the limit: 1/0.");
}

TEST_F(GatewayFixture, DailyBudgetReplyIs429WithRateLimitHeaders) {
  send(request(kOneUser));
  events::InviteReply reply;
  reply.outcome = domain::Outcome::DailyBudgetExceeded;
  reply.message = "The daily invitation limit of the portal is reached.";
  const std::int64_t reset_ms = kNowMs + 3'600'500;  // 3600.5 s from now
  reply.rate_limit = domain::RateLimit{5, 0, reset_ms};
  ack_and_reply(reply);
  const auto& response = only_response();
  EXPECT_EQ(response.status, 429);
  EXPECT_EQ(error_type_of(response), "DailyInvitationBudgetExceeded");
  EXPECT_EQ(header_of(response, "Retry-After"), "3601");
  EXPECT_EQ(header_of(response, "X-RateLimit-Limit"), "5");
  EXPECT_EQ(header_of(response, "X-RateLimit-Remaining"), "0");
  EXPECT_EQ(header_of(response, "X-RateLimit-Reset"), std::to_string(reset_ms / 1000));
}

TEST_F(GatewayFixture, DeliveryFailureIs503WithRetryAfter) {
  send(request(kOneUser));
  ASSERT_EQ(publisher_.calls.size(), 1u);
  publisher_.calls[0].on_done(PublishError{"Local: Message timed out"});
  const auto& response = only_response();
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(error_type_of(response), "BrokerUnavailable");
  EXPECT_FALSE(header_of(response, "Retry-After").empty());
  EXPECT_EQ(response.body.find("timed out"), std::string::npos) << "broker internals stay in the log";
  EXPECT_EQ(pending_.size(), 0u);

  // The deadline timer still fires later; it must not answer a second time.
  ASSERT_EQ(scheduled_.size(), 1u);
  scheduled_[0].fn();
  EXPECT_EQ(responses_.size(), 1u);
}

TEST_F(GatewayFixture, FullProducerQueueIs503OverloadedWithoutPublishingAnyRecord) {
  publisher_.room = 1;
  send(request(R"({"invitations":[{"email":"a@example.com","type":"User"},{"email":"b@example.com","type":"User"}]})"));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(error_type_of(response), "Overloaded");
  EXPECT_EQ(header_of(response, "Retry-After"), "1");
  EXPECT_TRUE(publisher_.calls.empty());
  EXPECT_EQ(pending_.size(), 0u);
  EXPECT_TRUE(scheduled_.empty());
}

TEST_F(GatewayFixture, QueueFullDeliveryReportIs503OverloadedNotBrokerUnavailable) {
  send(request(kOneUser));
  ASSERT_EQ(publisher_.calls.size(), 1u);
  publisher_.calls[0].on_done(PublishError{"Local: Queue full", true});
  const auto& response = only_response();
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(error_type_of(response), "Overloaded");
  EXPECT_EQ(header_of(response, "Retry-After"), "1");
  EXPECT_EQ(pending_.size(), 0u);
}

TEST_F(GatewayFixture, DeadlineIs504AndLateReplyIsRefused) {
  send(request(kOneUser));
  publisher_.calls.at(0).on_done({});
  ASSERT_EQ(scheduled_.size(), 1u);
  now_ms_ += 7000;
  scheduled_[0].fn();
  const auto& response = only_response();
  EXPECT_EQ(response.status, 504);
  EXPECT_EQ(error_type_of(response), "GatewayTimeout");
  EXPECT_EQ(pending_.size(), 0u);

  events::InviteReply late;
  late.request_id = publisher_.calls[0].records[0].request_id;
  EXPECT_FALSE(pending_.complete(late.request_id, late));
  EXPECT_EQ(responses_.size(), 1u);
}

TEST_F(GatewayFixture, DeadlineAfterReplyDoesNothing) {
  send(request(kOneUser));
  ack_and_reply(events::InviteReply{});
  scheduled_.at(0).fn();
  ASSERT_EQ(responses_.size(), 1u);
  EXPECT_EQ(responses_[0].status, 200);
}

TEST_F(GatewayFixture, EmptyInvitationListAnswers200WithoutKafka) {
  send(request(R"({"invitations":[]})"));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, success_envelope({}, *portals_.find_by_host_header("localhost"), kInviteUrl));
  const auto body = body_of(response);
  EXPECT_EQ(body["count"], 0);
  EXPECT_EQ(body["response"], nlohmann::json::array());
  EXPECT_TRUE(publisher_.calls.empty());
  EXPECT_TRUE(scheduled_.empty());
  EXPECT_EQ(pending_.size(), 0u);
}

TEST_F(GatewayFixture, RequestsAreCountedByStatusCode) {
  auto lost = request(kOneUser);
  set_header(lost, "Host", "nowhere.example");
  send(std::move(lost));
  send(request(kOneUser));
  ack_and_reply(events::InviteReply{});
  send(request(kOneUser));
  ack_and_reply(events::InviteReply{});

  const std::string text = metrics_.render();
  EXPECT_NE(text.find("# TYPE invite_gateway_invite_requests_total counter"), std::string::npos) << text;
  EXPECT_NE(text.find("invite_gateway_invite_requests_total{code=\"404\""), std::string::npos) << text;
  const auto ok_line = text.find("invite_gateway_invite_requests_total{code=\"200\"");
  ASSERT_NE(ok_line, std::string::npos) << text;
  const auto end_of_line = text.find('\n', ok_line);
  EXPECT_TRUE(text.substr(ok_line, end_of_line - ok_line).ends_with(" 2"))
      << text.substr(ok_line, end_of_line - ok_line);
  EXPECT_NE(text.find("invite_gateway_invitations_published_total 2"), std::string::npos) << text;
}

class GatewayCapacityOne : public GatewayFixture {
 protected:
  GatewayCapacityOne() : GatewayFixture(1) {}
};

TEST_F(GatewayCapacityOne, FullPendingMapIs503OverloadedWithoutPublishing) {
  send(request(kOneUser));
  ASSERT_EQ(publisher_.calls.size(), 1u);
  EXPECT_TRUE(responses_.empty());

  send(request(kOneUser));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(error_type_of(response), "Overloaded");
  EXPECT_FALSE(header_of(response, "Retry-After").empty());
  EXPECT_EQ(publisher_.calls.size(), 1u);

  // Capacity returns once the first request is answered.
  ack_and_reply(events::InviteReply{});
  send(request(kOneUser));
  EXPECT_EQ(publisher_.calls.size(), 2u);
}

}  // namespace
}  // namespace invite::gateway

namespace invite::gateway {
namespace {

TEST_F(GatewayFixture, DrainingGatewayRefusesNewInvitesWith503AndPublishesNothing) {
  draining_ = true;
  send(request(kOneUser));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(header_of(response, "Retry-After"), "1");
  EXPECT_NE(response.body.find(R"("type":"ShuttingDown")"), std::string::npos) << response.body;
  EXPECT_TRUE(publisher_.calls.empty());
  EXPECT_EQ(pending_.size(), 0u);
}

TEST_F(GatewayFixture, RequestPublishedBeforeDrainingStillGetsItsReply) {
  send(request(kOneUser));
  ASSERT_EQ(publisher_.calls.size(), 1u);
  draining_ = true;
  events::InviteReply reply;
  reply.outcome = domain::Outcome::Ok;
  ack_and_reply(reply);
  EXPECT_EQ(only_response().status, 200);
}

}  // namespace
}  // namespace invite::gateway
