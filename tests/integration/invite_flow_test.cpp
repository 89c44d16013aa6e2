// The invite flow end to end, as a DocSpace client sees it: HTTP in, users in SQLite, jobs on Kafka.
#include <gtest/gtest.h>

#include <set>

#include "invite/common/ids.hpp"
#include "invite/events/events.hpp"
#include "stack.hpp"

namespace invite::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

class InviteFlow : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { stack_ = new Stack(); }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  static Stack& stack() { return *stack_; }

  // A fresh address per test so tests sharing the stack never see each other's users.
  static std::string email(const std::string& name) { return name + "." + common::random_hex(4) + "@example.com"; }

  static std::vector<json> users_with(const std::string& address) { return stack().users_with(address); }
  static std::vector<events::EmailJob> email_jobs_for(const std::string& address, std::size_t at_least = 0) {
    return stack().email_jobs_for(address, at_least);
  }

  static Stack* stack_;
};
Stack* InviteFlow::stack_ = nullptr;

TEST_F(InviteFlow, SingleInviteCreatesPendingUserAndQueuesOneEmail) {
  const auto address = email("single");
  const auto reply = stack().invite(invite_body({{address, "User"}}), stack().owner_token());
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("Content-Type"), "application/json; charset=utf-8");
  const auto body = json::parse(reply.body);
  EXPECT_EQ(body["status"], 0);
  EXPECT_EQ(body["statusCode"], 200);
  EXPECT_EQ(body["count"], 1);
  EXPECT_EQ(body["links"][0]["href"], "http://localhost/api/2.0/people/invite");
  ASSERT_EQ(body["response"].size(), 1u);
  const auto& dto = body["response"][0];
  EXPECT_TRUE(common::is_uuid(dto["id"].get<std::string>()));
  EXPECT_EQ(dto["displayName"], address);
  EXPECT_EQ(dto["title"], "");
  EXPECT_EQ(dto["profileUrl"], "http://localhost/accounts/people/filter?search=" +
                                   address.substr(0, address.find('@')) + "%40example.com");
  EXPECT_EQ(dto["hasAvatar"], false);

  const auto users = users_with(address);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["id"], dto["id"]);
  EXPECT_EQ(users[0]["type"], "User");
  EXPECT_EQ(users[0]["status"], 4);            // Pending
  EXPECT_EQ(users[0]["activationStatus"], 2);  // Pending

  const auto jobs = email_jobs_for(address, 1);
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].recipient_user_id, dto["id"]);
  EXPECT_EQ(jobs[0].subject, "Join Local DocSpace DocSpace");
  EXPECT_EQ(jobs[0].culture, "en-US");
  EXPECT_EQ(jobs[0].confirmation_link.rfind("http://localhost/confirm/LinkInvite?type=LinkInvite&key=", 0), 0u)
      << jobs[0].confirmation_link;
  EXPECT_NE(jobs[0].confirmation_link.find("&emplType=4&"), std::string::npos);
}

TEST_F(InviteFlow, BatchOfHundredAnswersEveryUserInRequestOrder) {
  std::vector<std::pair<std::string, std::string>> invitations;
  for (int i = 0; i < 100; ++i)
    invitations.emplace_back(email("batch" + std::to_string(i)), i % 2 ? "User" : "RoomAdmin");
  const auto reply = stack().invite(invite_body(invitations, "fr-FR"), stack().owner_token());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = json::parse(reply.body);
  ASSERT_EQ(body["count"], 100);
  std::set<std::string> ids;
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(body["response"][i]["displayName"], invitations[static_cast<std::size_t>(i)].first);
    ids.insert(body["response"][i]["id"].get<std::string>());
  }
  EXPECT_EQ(ids.size(), 100u);
  std::size_t stored = 0;
  for (const auto& user : stack().users()) {
    if (ids.count(user["id"].get<std::string>())) {
      ++stored;
      EXPECT_EQ(user["culture"], "fr-FR");
    }
  }
  EXPECT_EQ(stored, 100u);
}

TEST_F(InviteFlow, SeedExampleBodyWithValueWrapperAndNoType) {
  // The seed page's example, verbatim: its "some text" culture is not a culture, so the design's validation
  // rejects exactly that field and nothing else (the wrapper and the e-mail are understood).
  const std::string seed = R"({
  "invitations": [
    {
      "value": {
        "email": "Adele94@gmail.com"
      }
    }
  ],
  "culture": "some text"
})";
  const auto rejected = stack().invite(seed, stack().owner_token());
  ASSERT_EQ(rejected.status, 400) << rejected.body;
  const auto errors = json::parse(rejected.body)["response"]["errors"];
  EXPECT_EQ(errors.size(), 1u);
  EXPECT_TRUE(errors.contains("Culture")) << errors.dump();

  // The same shape with a real culture is applied, and the omitted type becomes RoomAdmin.
  const auto address = email("Adele94");
  const std::string wrapped = R"({"invitations":[{"value":{"email":")" + address + R"("}}],"culture":"en-GB"})";
  const auto reply = stack().invite(wrapped, stack().owner_token());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto users = users_with(address);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["type"], "RoomAdmin");
  EXPECT_EQ(users[0]["culture"], "en-GB");
}

TEST_F(InviteFlow, ExistingUserGetsNoSecondEmailAndIsOnlyRaised) {
  const auto address = email("existing");
  const auto first = stack().invite(invite_body({{address, "User"}}), stack().owner_token());
  ASSERT_EQ(first.status, 200) << first.body;
  const auto id = json::parse(first.body)["response"][0]["id"];

  const auto raised = stack().invite(invite_body({{address, "RoomAdmin"}}), stack().owner_token());
  ASSERT_EQ(raised.status, 200) << raised.body;
  EXPECT_EQ(json::parse(raised.body)["response"][0]["id"], id);
  EXPECT_EQ(users_with(address).at(0)["type"], "RoomAdmin");

  const auto lower = stack().invite(invite_body({{address, "User"}}), stack().owner_token());
  ASSERT_EQ(lower.status, 200) << lower.body;
  EXPECT_EQ(users_with(address).at(0)["type"], "RoomAdmin");  // never lowered

  EXPECT_EQ(users_with(address).size(), 1u);
  std::this_thread::sleep_for(500ms);  // let any (wrong) extra job reach the topic
  EXPECT_EQ(email_jobs_for(address, 1).size(), 1u);
}

TEST_F(InviteFlow, DuplicateEmailWithinOneRequestIsOneUser) {
  const auto address = email("dup");
  std::string upper = address;
  upper[0] = static_cast<char>(std::toupper(upper[0]));
  const auto reply = stack().invite(invite_body({{address, "User"}, {upper, "DocSpaceAdmin"}}), stack().owner_token());
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto body = json::parse(reply.body);
  EXPECT_EQ(body["count"], 1);
  const auto users = users_with(address);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0]["type"], "DocSpaceAdmin");
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(email_jobs_for(address, 1).size(), 1u);
}

TEST_F(InviteFlow, DisabledUserRejectsTheWholeRequest) {
  const auto disabled = email("disabled");
  const auto other = email("innocent");
  ASSERT_EQ(stack().invite(invite_body({{disabled, "User"}}), stack().owner_token()).status, 200);
  const auto [status, out] = stack().invitectl(
      {"users", "disable", "--data-dir", stack().dir().string(), "--portal", "localhost", "--email", disabled});
  ASSERT_EQ(status, 0) << out;

  const auto reply = stack().invite(invite_body({{other, "User"}, {disabled, "User"}}), stack().owner_token());
  ASSERT_EQ(reply.status, 400) << reply.body;
  const auto body = json::parse(reply.body);
  EXPECT_EQ(body["error"]["message"], "The user is disabled: " + disabled);
  EXPECT_EQ(body["error"]["type"], "UserDisabled");
  EXPECT_EQ(body["statusCode"], 400);
  EXPECT_TRUE(users_with(other).empty());
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(email_jobs_for(other).empty());
}

TEST_F(InviteFlow, PaidSeatsExhaustedRejectsTheWholeRequest) {
  const auto a = email("seat-a"), b = email("seat-b");
  const auto token = stack().owner_token("seats.test");
  const auto reply = stack().invite(invite_body({{a, "RoomAdmin"}, {b, "DocSpaceAdmin"}}), token, "seats.test");
  ASSERT_EQ(reply.status, 402) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["error"]["message"], "The number of admins exceeds the limit: 2/1.");
  EXPECT_NE(stack().worker_metrics().find(R"(invite_worker_requests_total{outcome="paid_seats_exceeded"})"),
            std::string::npos);
  EXPECT_TRUE(users_with(a).empty());
  EXPECT_TRUE(users_with(b).empty());

  // One seat is there: one admin fits, and Users never need one.
  EXPECT_EQ(stack().invite(invite_body({{a, "RoomAdmin"}, {b, "User"}}), token, "seats.test").status, 200);
  const auto c = email("seat-c");
  EXPECT_EQ(stack().invite(invite_body({{c, "RoomAdmin"}}), token, "seats.test").status, 402);
}

TEST_F(InviteFlow, DailyBudgetAnswers429WithRateLimitHeaders) {
  const auto token = stack().owner_token("budget.test");
  ASSERT_EQ(stack().invite(invite_body({{email("b1"), "User"}, {email("b2"), "User"}}), token, "budget.test").status,
            200);
  const auto over = email("b3");
  const auto reply = stack().invite(invite_body({{over, "User"}}), token, "budget.test");
  ASSERT_EQ(reply.status, 429) << reply.body;
  EXPECT_FALSE(reply.header("Retry-After").empty());
  EXPECT_EQ(reply.header("X-RateLimit-Limit"), "2");
  EXPECT_EQ(reply.header("X-RateLimit-Remaining"), "0");
  EXPECT_TRUE(users_with(over).empty());
}

TEST_F(InviteFlow, UnauthorizedWithoutTokenWithBadTokenAndWithAnotherPortalsToken) {
  const auto body = invite_body({{email("auth"), "User"}});
  const auto none = stack().invite(body, "");
  EXPECT_EQ(none.status, 401);
  EXPECT_EQ(json::parse(none.body)["error"]["type"], "Unauthorized");

  const auto bad = stack().invite(body, "not.a.token");
  EXPECT_EQ(bad.status, 401);
  EXPECT_NE(bad.header("Set-Cookie").find("asc_auth_key=;"), std::string::npos);

  const auto other_portal = stack().invite(body, stack().owner_token("seats.test"));
  EXPECT_EQ(other_portal.status, 401);

  const auto expired = stack().invite(body, stack().token(domain::Role::Owner, "localhost", -10));
  EXPECT_EQ(expired.status, 401);

  // The Authorization header works when there is no cookie.
  const auto bearer = stack().invite(body, "", "localhost", {{"Authorization", "Bearer " + stack().owner_token()}});
  EXPECT_EQ(bearer.status, 200) << bearer.body;
}

TEST_F(InviteFlow, ForbiddenForRoomAdminInvitingDocSpaceAdmin) {
  const auto address = email("forbidden");
  const auto reply = stack().invite(invite_body({{address, "DocSpaceAdmin"}}), stack().token(domain::Role::RoomAdmin));
  ASSERT_EQ(reply.status, 403) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["error"]["message"], "Access denied");
  EXPECT_EQ(stack().invite(invite_body({{address, "User"}}), stack().owner_token("closed.test"), "closed.test").status,
            403);
  EXPECT_TRUE(users_with(address).empty());
}

TEST_F(InviteFlow, UnsupportedMediaTypeAndTooLargeBody) {
  const auto body = invite_body({{email("media"), "User"}});
  const auto text = stack().invite(body, stack().owner_token(), "localhost", {});
  ASSERT_EQ(text.status, 200);  // sanity: the same body is fine as JSON

  std::vector<std::pair<std::string, std::string>> headers{
      {"Host", "localhost"}, {"Content-Type", "text/plain"}, {"Cookie", "asc_auth_key=" + stack().owner_token()}};
  auto reply = http_request("127.0.0.1", stack().port(), "POST", "/api/2.0/people/invite", headers, body);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 415);
  EXPECT_EQ(json::parse(reply->body)["statusCode"], 415);

  const std::string huge = R"({"invitations":[],"pad":")" + std::string(2 * 1024 * 1024, 'x') + "\"}";
  headers[1].second = "application/json";
  reply = http_request("127.0.0.1", stack().port(), "POST", "/api/2.0/people/invite", headers, huge);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(json::parse(reply->body)["error"]["type"], "PayloadTooLarge");
}

TEST_F(InviteFlow, UnknownPortalIs404) {
  const auto reply = stack().invite(invite_body({{email("nowhere"), "User"}}), stack().owner_token(), "nowhere.test");
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(json::parse(reply.body)["error"]["message"], "Portal not found");
}

TEST_F(InviteFlow, OperationalEndpoints) {
  // One answered request, so the per-status counter has a sample whichever tests ran before in this process.
  EXPECT_EQ(stack().invite(invite_body({{email("metrics"), "User"}}), "").status, 401);
  EXPECT_EQ(stack().get("/healthz").status, 200);
  EXPECT_EQ(stack().get("/readyz").status, 200);
  const auto metrics = stack().get("/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_NE(metrics.body.find("# TYPE invite_gateway_invite_requests_total counter"), std::string::npos)
      << metrics.body;
  EXPECT_NE(metrics.body.find(R"(invite_gateway_invite_requests_total{code="401",outcome="unauthorized"} )"),
            std::string::npos)
      << metrics.body;
  const auto not_allowed = stack().get("/api/2.0/people/invite");
  EXPECT_EQ(not_allowed.status, 405);
  EXPECT_EQ(not_allowed.header("Allow"), "POST, PUT");  // PUT is the resend (openapi.yaml)
}

TEST_F(InviteFlow, UserInvitedEventsAreDomainEvents) {
  const auto address = email("event");
  ASSERT_EQ(stack().invite(invite_body({{address, "User"}}), stack().owner_token()).status, 200);
  bool found = false;
  eventually([&] {
    for (const auto& record : stack().read_topic(std::string(events::topics::kUserInvited), 0, 5s)) {
      auto event = events::decode_user_invited(record.value);
      if (event && event->user.email == address) {
        found = true;
        EXPECT_EQ(record.key, "localhost");
      }
    }
    return found;
  });
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace invite::testing

namespace invite::testing {
namespace {

TEST_F(InviteFlow, ConcurrentClientsAllGetTheirOwnUsers) {
  constexpr int kClients = 8;
  constexpr int kRequestsEach = 10;
  const auto token = stack().owner_token();
  const std::string run = common::random_hex(4);
  std::vector<std::thread> clients;
  std::atomic<int> answered_right{0};
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      for (int r = 0; r < kRequestsEach; ++r) {
        std::vector<std::pair<std::string, std::string>> invitations;
        for (int i = 0; i < 3; ++i) {
          invitations.emplace_back(
              "c" + std::to_string(c) + "r" + std::to_string(r) + "i" + std::to_string(i) + "." + run + "@example.com",
              "User");
        }
        const auto reply = stack().invite(invite_body(invitations), token);
        if (reply.status != 200) continue;
        const auto body = json::parse(reply.body);
        bool mine = body["count"] == 3;
        for (int i = 0; i < 3 && mine; ++i) mine = body["response"][i]["displayName"] == invitations[i].first;
        answered_right += mine;
      }
    });
  }
  for (auto& client : clients) client.join();
  EXPECT_EQ(answered_right.load(), kClients * kRequestsEach);
  std::size_t stored = 0;
  for (const auto& user : stack().users()) stored += user["email"].get<std::string>().find(run) != std::string::npos;
  EXPECT_EQ(stored, static_cast<std::size_t>(kClients * kRequestsEach * 3));
}

}  // namespace
}  // namespace invite::testing
