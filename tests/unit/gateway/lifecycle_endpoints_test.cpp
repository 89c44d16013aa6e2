// The lifecycle endpoints wired to fakes (gateway_test_support.hpp) and to a hasher the test runs by hand: for each
// endpoint the published command record, each outcome's HTTP answer, and the refusals before anything is published.
#include "lifecycle_endpoints.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gateway_test_support.hpp"
#include "invite/events/commands.hpp"
#include "password_hash.hpp"

namespace invite::gateway {
namespace {

using domain::Outcome;
using domain::Role;
using events::CommandKind;

// Keeps each submitted secret until the test runs the hash (the real Argon2id) or fails it.
class FakeHasher final : public PasswordHasher {
 public:
  struct Job {
    std::string secret;
    HashDone on_done;
  };
  bool submit(std::string secret, HashDone on_done) override {
    if (jobs.size() >= capacity) return false;
    jobs.push_back({std::move(secret), std::move(on_done)});
    return true;
  }
  std::size_t queued() const override { return jobs.size(); }
  void run_all() {
    auto ready = std::move(jobs);
    jobs.clear();
    for (auto& job : ready) job.on_done(hash_password(job.secret));
  }
  std::vector<Job> jobs;
  std::size_t capacity = 4;
};

constexpr std::string_view kPassword = "correct horse battery staple";
constexpr std::string_view kUserId = "97bb5874-3e71-41f8-a716-34e735f659c3";
constexpr std::string_view kAdminId = "22222222-2222-4222-8222-222222222222";
constexpr std::string_view kTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
constexpr const char* kConfirmBody =
    R"({"type":"LinkInvite","key":"1795693985209.jjq5","email":"ann@example.com","emplType":"4"})";
constexpr const char* kConfirmHeader = "type=LinkInvite&key=1795693985209.jjq5&email=ann%40example.com&emplType=4";

std::string accept_body(std::string_view secret_field = "password", std::string_view secret = kPassword) {
  return R"({"fromInviteLink":true,"email":"ann@example.com","type":4,"key":"1795693985209.jjq5",)"
         R"("firstName":"Ann","lastName":"Lee","cultureName":"en-US","spam":true,")" +
         std::string(secret_field) + R"(":")" + std::string(secret) + R"("})";
}

std::string ids_body(std::string_view id = kUserId) { return R"({"userIds":[")" + std::string(id) + R"("]})"; }

domain::User pending_user() {
  domain::User u;
  u.id = std::string(kUserId);
  u.portal = "localhost";
  u.email = "ann@example.com";
  u.user_name = "ann";
  u.type = domain::EmployeeType::User;
  u.culture = "en-GB";
  u.created_by = std::string(kOwnerId);
  u.created_at_ms = kNowMs - 1000;
  return u;
}

domain::User active_user() {
  auto u = pending_user();
  u.first_name = "Ann";
  u.last_name = "Lee";
  u.status = domain::EmployeeStatus::Active;
  u.activation_status = domain::ActivationStatus::Activated;
  return u;
}

domain::InvitationState failed_invitation() {
  domain::InvitationState state;
  state.sent_at_ms = kNowMs - 1000;
  state.times_resent = 2;
  state.inviter_id = std::string(kAdminId);
  state.delivery = domain::Delivery{domain::DeliveryStatus::Failed, "550 no such mailbox", kNowMs - 500};
  return state;
}

class LifecycleFixture : public ::testing::Test, protected FakeSurroundings {
 protected:
  void SetUp() override {
    endpoints_ = std::make_unique<LifecycleEndpoints>(environment(), hasher_, settings_);
    endpoints_->add_routes(router_);
  }

  static http::Request request(std::string method, std::string target, std::string body,
                               std::optional<Role> role = Role::Owner, std::string_view user = kOwnerId) {
    http::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.headers = {{"Host", "localhost:8080"}, {"Content-Type", "application/json"}};
    if (role) r.headers.emplace_back("Authorization", "Bearer " + test_token(*role, "localhost", user));
    r.body = std::move(body);
    return r;
  }
  static http::Request confirm_request(std::string body = kConfirmBody) {
    return request("POST", "/api/2.0/authentication/confirm", std::move(body), std::nullopt);
  }
  static http::Request accept_request(std::string body = accept_body()) {
    auto r = request("POST", "/api/2.0/people", std::move(body), std::nullopt);
    r.headers.emplace_back("confirm", kConfirmHeader);
    return r;
  }

  void send(http::Request r) {
    router_(std::move(r), [this](http::Response response) { responses_.push_back(std::move(response)); });
  }
  // An accept all the way to its record: the hash runs, the server's thread takes over.
  void send_accept(http::Request r = accept_request()) {
    send(std::move(r));
    hasher_.run_all();
    run_scheduled(std::chrono::milliseconds(0));
  }
  void run_scheduled(std::chrono::milliseconds delay) {
    auto due = std::move(scheduled_);
    scheduled_.clear();
    for (auto& s : due) {
      if (s.delay == delay) {
        s.fn();
      } else {
        scheduled_.push_back(std::move(s));
      }
    }
  }

  const http::Response& only_response() const {
    EXPECT_EQ(responses_.size(), 1u);
    static const http::Response kNone{0, {}, {}};
    return responses_.empty() ? kNone : responses_.front();
  }
  events::PeopleCommand published() const {
    EXPECT_EQ(publisher_.one_calls.size(), 1u);
    if (publisher_.one_calls.empty()) return {};
    auto decoded = events::decode_command(publisher_.one_calls.front().record.value);
    EXPECT_TRUE(decoded) << (decoded ? "" : decoded.error().message);
    return decoded ? *decoded : events::PeopleCommand{};
  }
  // Acknowledges the published record and answers it; the reply names the command sent unless it names one.
  void reply(events::InviteReply answer) {
    ASSERT_EQ(publisher_.one_calls.size(), 1u);
    publisher_.one_calls.front().on_done({});
    const auto command = published();
    answer.request_id = command.request_id;
    answer.portal = command.portal;
    if (!answer.command) answer.command = command.kind;
    EXPECT_TRUE(pending_.complete(answer.request_id, answer));
  }
  static events::InviteReply outcome(Outcome o) {
    events::InviteReply r;
    r.outcome = o;
    return r;
  }
  static events::InviteReply users(std::vector<domain::User> list) {
    events::InviteReply r;
    r.users = std::move(list);
    r.invitations[std::string(kUserId)] = failed_invitation();
    return r;
  }
  double counter(const std::string& line) const {
    const auto text = metrics_.render();
    const auto at = text.find("\n" + line + " ");
    return at == std::string::npos ? 0 : std::stod(text.substr(at + line.size() + 2));
  }

  FakeHasher hasher_;
  LifecycleSettings settings_{std::chrono::milliseconds(7000), 3, {}};
  http::Router router_;
  std::unique_ptr<LifecycleEndpoints> endpoints_;
  std::vector<http::Response> responses_;
};

// ---------------------------------------------------------------- confirm

TEST_F(LifecycleFixture, ConfirmPublishesOneConfirmRecordKeyedByPortal) {
  send(confirm_request());
  EXPECT_TRUE(responses_.empty()) << "waits for the worker";
  const auto command = published();
  EXPECT_EQ(command.kind, CommandKind::Confirm);
  EXPECT_EQ(command.portal, "localhost");
  EXPECT_EQ(command.reply_partition, 3);
  EXPECT_EQ(command.deadline_ms, kNowMs + 7000);
  EXPECT_EQ(command.link.key, "1795693985209.jjq5");
  EXPECT_EQ(command.link.email, "ann@example.com");
  EXPECT_EQ(command.link.type, domain::EmployeeType::User);
  const auto& record = publisher_.one_calls[0].record;
  EXPECT_EQ(record.portal, "localhost");
  EXPECT_EQ(record.request_id, command.request_id);
  EXPECT_EQ(record.reply_partition, 3);
}

TEST_F(LifecycleFixture, ConfirmArmsTheDeadline) {
  send(confirm_request());
  ASSERT_EQ(scheduled_.size(), 1u);
  EXPECT_EQ(scheduled_[0].delay, std::chrono::milliseconds(7000));
}

TEST_F(LifecycleFixture, ConfirmPassesTraceparentOn) {
  auto r = confirm_request();
  r.headers.emplace_back("traceparent", std::string(kTraceparent));
  send(std::move(r));
  ASSERT_EQ(publisher_.one_calls.size(), 1u);
  EXPECT_EQ(publisher_.one_calls[0].traceparent, kTraceparent);
}

TEST_F(LifecycleFixture, ConfirmIgnoresAnInvalidToken) {
  auto r = confirm_request();
  r.headers.emplace_back("Authorization", "Bearer not.a.jwt");
  send(std::move(r));
  EXPECT_TRUE(responses_.empty());
  EXPECT_EQ(publisher_.one_calls.size(), 1u);
}

TEST_F(LifecycleFixture, ConfirmOkAnswersResultAndEmailInTheSuccessEnvelope) {
  send(confirm_request());
  auto answer = outcome(Outcome::Ok);
  answer.validation = domain::ConfirmOutcome{domain::ValidationResult::Ok, "ann@example.com"};
  reply(answer);
  const auto& response = only_response();
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body,
            R"({"response":{"result":0,"email":"ann@example.com"},"count":1,"links":[{"href":"http://localhost:8080)"
            R"(/api/2.0/authentication/confirm","action":"POST"}],"status":0,"statusCode":200})");
}

TEST_F(LifecycleFixture, ConfirmExpiredAnswers200WithResult2AndNoEmail) {
  send(confirm_request());
  auto answer = outcome(Outcome::Ok);
  answer.validation = domain::ConfirmOutcome{domain::ValidationResult::Expired, ""};
  reply(answer);
  EXPECT_EQ(only_response().status, 200);
  EXPECT_EQ(body_of(only_response())["response"], nlohmann::json::parse(R"({"result":2})"));
}

TEST_F(LifecycleFixture, ConfirmWithoutTypeIs400KeyedTypeAndPublishesNothing) {
  send(confirm_request(R"({"key":"1.a","email":"ann@example.com"})"));
  EXPECT_EQ(only_response().status, 400);
  EXPECT_TRUE(body_of(only_response())["response"]["errors"].contains("Type"));
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, ConfirmOkWithoutValidationIs500) {
  send(confirm_request());
  reply(outcome(Outcome::Ok));
  EXPECT_EQ(only_response().status, 500);
  EXPECT_EQ(error_type_of(only_response()), "Internal");
}

TEST_F(LifecycleFixture, ReplyToAnotherCommandIs500AndCounted) {
  send(confirm_request());
  auto answer = outcome(Outcome::Ok);
  answer.command = CommandKind::List;
  answer.validation = domain::ConfirmOutcome{domain::ValidationResult::Ok, "ann@example.com"};
  reply(answer);
  EXPECT_EQ(only_response().status, 500);
  EXPECT_EQ(counter("invite_gateway_mismatched_replies_total"), 1);
}

TEST_F(LifecycleFixture, ConfirmUnknownHostIs404) {
  auto r = confirm_request();
  r.headers[0].second = "nowhere.example";
  send(std::move(r));
  EXPECT_EQ(only_response().status, 404);
  EXPECT_EQ(error_type_of(only_response()), "PortalNotFound");
}

TEST_F(LifecycleFixture, ConfirmOtherContentTypeIs415) {
  auto r = confirm_request();
  r.headers[1].second = "text/plain";
  send(std::move(r));
  EXPECT_EQ(only_response().status, 415);
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, DrainingIs503ShuttingDown) {
  draining_ = true;
  send(confirm_request());
  EXPECT_EQ(only_response().status, 503);
  EXPECT_EQ(error_type_of(only_response()), "ShuttingDown");
}

TEST_F(LifecycleFixture, DeadlineIs504) {
  send(confirm_request());
  run_scheduled(std::chrono::milliseconds(7000));
  EXPECT_EQ(only_response().status, 504);
  EXPECT_EQ(error_type_of(only_response()), "GatewayTimeout");
}

TEST_F(LifecycleFixture, FailedDeliveryIs503BrokerUnavailable) {
  send(confirm_request());
  ASSERT_EQ(publisher_.one_calls.size(), 1u);
  publisher_.one_calls[0].on_done(PublishError{"Local: Message timed out"});
  EXPECT_EQ(only_response().status, 503);
  EXPECT_EQ(error_type_of(only_response()), "BrokerUnavailable");
  EXPECT_EQ(header_of(only_response(), "Retry-After"), "5");
}

TEST_F(LifecycleFixture, FullProducerQueueIs503OverloadedWithoutPublishing) {
  publisher_.room = 0;
  send(confirm_request());
  EXPECT_EQ(only_response().status, 503);
  EXPECT_EQ(error_type_of(only_response()), "Overloaded");
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, AnswersAreCountedByEndpoint) {
  send(confirm_request("[]"));
  EXPECT_EQ(counter(R"(invite_gateway_lifecycle_requests_total{code="400",endpoint="confirm",outcome="invalid"})"), 1);
}

// ---------------------------------------------------------------- accept

TEST_F(LifecycleFixture, AcceptHashesBeforePublishing) {
  send(accept_request());
  EXPECT_TRUE(publisher_.one_calls.empty());
  ASSERT_EQ(hasher_.jobs.size(), 1u);
  EXPECT_EQ(hasher_.jobs[0].secret, kPassword);
}

TEST_F(LifecycleFixture, AcceptContinuesOnTheServersThreadsAfterHashing) {
  send(accept_request());
  hasher_.run_all();
  EXPECT_TRUE(publisher_.one_calls.empty()) << "published from the hashing thread";
  run_scheduled(std::chrono::milliseconds(0));
  EXPECT_EQ(publisher_.one_calls.size(), 1u);
}

TEST_F(LifecycleFixture, AcceptPublishesTheLinkTheBodyAndAnArgon2idHash) {
  send_accept();
  const auto command = published();
  EXPECT_EQ(command.kind, CommandKind::Accept);
  EXPECT_EQ(command.link.key, "1795693985209.jjq5");
  EXPECT_EQ(command.link.email, "ann@example.com");
  EXPECT_EQ(command.body_email, "ann@example.com");
  EXPECT_EQ(command.body_type, domain::EmployeeType::User);
  EXPECT_EQ(command.body_key, "1795693985209.jjq5");
  EXPECT_EQ(command.first_name, "Ann");
  EXPECT_EQ(command.last_name, "Lee");
  EXPECT_EQ(command.culture, "en-US");
  EXPECT_TRUE(command.spam);
  EXPECT_TRUE(command.password_hash.starts_with("$argon2id$"));
  EXPECT_TRUE(verify_password(command.password_hash, kPassword));
}

TEST_F(LifecycleFixture, AcceptNeverPublishesThePassword) {
  send_accept();
  ASSERT_EQ(publisher_.one_calls.size(), 1u);
  EXPECT_EQ(publisher_.one_calls[0].record.value.find(kPassword), std::string::npos);
}

TEST_F(LifecycleFixture, AcceptHashesTheClientsPasswordHashAsTheSecret) {
  send_accept(accept_request(accept_body("passwordHash", "a1b2c3d4e5f6")));
  const auto command = published();
  EXPECT_TRUE(verify_password(command.password_hash, "a1b2c3d4e5f6"));
  EXPECT_EQ(publisher_.one_calls[0].record.value.find("a1b2c3d4e5f6"), std::string::npos);
}

TEST_F(LifecycleFixture, AcceptOkAnswersTheActivatedUser) {
  send_accept();
  reply(users({active_user()}));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 200);
  const auto body = body_of(response);
  EXPECT_EQ(body["response"]["id"], kUserId);
  EXPECT_EQ(body["response"]["status"], 1);
  EXPECT_FALSE(body["response"].contains("invitation")) << "not pending";
  EXPECT_EQ(body["count"], 1);
  EXPECT_EQ(response.body.find(kPassword), std::string::npos);
}

TEST_F(LifecycleFixture, AcceptWithoutConfirmHeaderIs401LinkInvalidBeforeHashing) {
  send(request("POST", "/api/2.0/people", accept_body(), std::nullopt));
  EXPECT_EQ(only_response().status, 401);
  EXPECT_EQ(error_type_of(only_response()), "LinkInvalid");
  EXPECT_TRUE(hasher_.jobs.empty());
}

TEST_F(LifecycleFixture, AcceptShortPasswordIs400KeyedPasswordWithoutHashing) {
  send(accept_request(accept_body("password", "short")));
  const auto& response = only_response();
  EXPECT_EQ(response.status, 400);
  EXPECT_TRUE(body_of(response)["response"]["errors"].contains("Password"));
  EXPECT_EQ(response.body.find("short\""), std::string::npos) << "the password is not echoed";
  EXPECT_TRUE(hasher_.jobs.empty());
}

TEST_F(LifecycleFixture, AcceptHeaderAndBodyErrorsShareOneEnvelope) {
  auto r = accept_request(accept_body("password", "short"));
  r.headers.back().second = "type=LinkInvite&key=%zz";
  send(std::move(r));
  const auto errors = body_of(only_response())["response"]["errors"];
  EXPECT_TRUE(errors.contains("confirm"));
  EXPECT_TRUE(errors.contains("Password"));
}

TEST_F(LifecycleFixture, AcceptConfirmHeaderOver4KiBIs400KeyedConfirm) {
  auto r = accept_request();
  r.headers.back().second = std::string(kConfirmHeader) + "&culture=" + std::string(4096, 'a');
  send(std::move(r));
  EXPECT_EQ(only_response().status, 400);
  EXPECT_TRUE(body_of(only_response())["response"]["errors"].contains("confirm"));
  EXPECT_TRUE(hasher_.jobs.empty());
}

TEST_F(LifecycleFixture, AcceptFullHashPoolIs503WithRetryAfter) {
  hasher_.capacity = 0;
  send(accept_request());
  const auto& response = only_response();
  EXPECT_EQ(response.status, 503);
  EXPECT_EQ(error_type_of(response), "Overloaded");
  EXPECT_EQ(header_of(response, "Retry-After"), "1");
  EXPECT_EQ(counter("invite_gateway_password_hash_refused_total"), 1);
}

TEST_F(LifecycleFixture, AcceptFullGatewayIs503BeforeHashing) {
  publisher_.room = 0;
  send(accept_request());
  EXPECT_EQ(only_response().status, 503);
  EXPECT_TRUE(hasher_.jobs.empty());
}

TEST_F(LifecycleFixture, AcceptFailedHashIs503) {
  send(accept_request());
  ASSERT_EQ(hasher_.jobs.size(), 1u);
  hasher_.jobs[0].on_done(common::fail("hashing a password ran out of memory"));
  run_scheduled(std::chrono::milliseconds(0));
  EXPECT_EQ(only_response().status, 503);
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, ThePasswordReachesNoMetric) {
  send_accept();
  reply(outcome(Outcome::LinkInvalid));
  EXPECT_EQ(metrics_.render().find(kPassword), std::string::npos);
}

struct RefusalCase {
  Outcome outcome;
  int status;
  const char* type;
};
class AcceptRefusal : public LifecycleFixture, public ::testing::WithParamInterface<RefusalCase> {};

TEST_P(AcceptRefusal, AnswersTheOutcomesStatus) {
  send_accept();
  reply(outcome(GetParam().outcome));
  EXPECT_EQ(only_response().status, GetParam().status);
  EXPECT_EQ(error_type_of(only_response()), GetParam().type);
  EXPECT_EQ(only_response().body.find(kPassword), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Outcomes, AcceptRefusal,
                         ::testing::Values(RefusalCase{Outcome::LinkInvalid, 401, "LinkInvalid"},
                                           RefusalCase{Outcome::LinkExpired, 401, "LinkExpired"},
                                           RefusalCase{Outcome::LinkMismatch, 403, "AccessDenied"},
                                           RefusalCase{Outcome::NotPending, 403, "AccessDenied"},
                                           RefusalCase{Outcome::InvitationsDisabled, 403, "AccessDenied"},
                                           RefusalCase{Outcome::RateLimited, 500, "Internal"},
                                           RefusalCase{Outcome::UserDisabled, 500, "Internal"}));

// ---------------------------------------------------------------- resend

TEST_F(LifecycleFixture, ResendPublishesTheCallerAndTargets) {
  send(request("PUT", "/api/2.0/people/invite", R"({"userIds":[")" + std::string(kUserId) + R"("],"resendAll":false})",
               Role::DocSpaceAdmin, kAdminId));
  const auto command = published();
  EXPECT_EQ(command.kind, CommandKind::Resend);
  EXPECT_EQ(command.caller_id, kAdminId);
  EXPECT_EQ(command.caller_role, Role::DocSpaceAdmin);
  EXPECT_EQ(command.user_ids, std::vector<std::string>{std::string(kUserId)});
  EXPECT_FALSE(command.resend_all);
}

TEST_F(LifecycleFixture, ResendByAUserIs403AndPublishesNothing) {
  send(request("PUT", "/api/2.0/people/invite", R"({"resendAll":true})", Role::User));
  EXPECT_EQ(only_response().status, 403);
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, ResendWithoutTokenIs401) {
  send(request("PUT", "/api/2.0/people/invite", ids_body(), std::nullopt));
  EXPECT_EQ(only_response().status, 401);
  EXPECT_EQ(error_type_of(only_response()), "Unauthorized");
}

TEST_F(LifecycleFixture, ResendRateLimitedIs429WithRetryAfter) {
  send(request("PUT", "/api/2.0/people/invite", ids_body()));
  auto answer = outcome(Outcome::RateLimited);
  answer.retry_after_seconds = 42;
  reply(answer);
  EXPECT_EQ(only_response().status, 429);
  EXPECT_EQ(error_type_of(only_response()), "RateLimited");
  EXPECT_EQ(header_of(only_response(), "Retry-After"), "42");
}

TEST_F(LifecycleFixture, ResendAnswersTheUsersWithTheirInvitation) {
  send(request("PUT", "/api/2.0/people/invite", ids_body()));
  reply(users({pending_user()}));
  const auto body = body_of(only_response());
  EXPECT_EQ(body["links"][0]["action"], "PUT");
  EXPECT_EQ(body["count"], 1);
  EXPECT_FALSE(body.contains("total"));
  EXPECT_EQ(body["response"][0]["invitation"], nlohmann::json::parse(R"({"sentAt":"2026-09-21T14:13:19.123Z",
      "expiresAt":"2026-09-28T14:13:19.123Z","timesResent":2,"inviterId":"22222222-2222-4222-8222-222222222222",
      "delivery":{"status":"failed","reason":"550 no such mailbox","at":"2026-09-21T14:13:19.623Z"}})"));
}

TEST_F(LifecycleFixture, ResendBadIdIs400KeyedByItsPath) {
  send(request("PUT", "/api/2.0/people/invite", R"({"userIds":["nope"]})"));
  EXPECT_EQ(only_response().status, 400);
  EXPECT_TRUE(body_of(only_response())["response"]["errors"].contains("$.userIds[0]"));
  EXPECT_TRUE(publisher_.one_calls.empty());
}

// ---------------------------------------------------------------- list

TEST_F(LifecycleFixture, ListPublishesTheQuery) {
  send(request("GET", "/api/2.0/people/filter?employeeStatus=4&count=10&sortBy=email", "", Role::RoomAdmin));
  const auto command = published();
  EXPECT_EQ(command.kind, CommandKind::List);
  EXPECT_EQ(command.caller_role, Role::RoomAdmin);
  EXPECT_EQ(command.query.filter.status, domain::EmployeeStatus::Pending);
  EXPECT_EQ(command.query.count, 10u);
  EXPECT_EQ(command.query.sort_by, domain::SortBy::Email);
}

TEST_F(LifecycleFixture, ListNeedsNoContentType) {
  auto r = request("GET", "/api/2.0/people/filter", "");
  r.headers[1].second = "";
  send(std::move(r));
  EXPECT_EQ(publisher_.one_calls.size(), 1u);
}

TEST_F(LifecycleFixture, ListAnswersThePageWithCountAndTotal) {
  send(request("GET", "/api/2.0/people/filter?count=2", ""));
  auto answer = users({pending_user(), active_user()});
  answer.users[1].id = "33333333-3333-4333-8333-333333333333";
  answer.total = 7;
  reply(answer);
  const auto body = body_of(only_response());
  EXPECT_EQ(body["count"], 2);
  EXPECT_EQ(body["total"], 7);
  EXPECT_EQ(body["links"][0]["action"], "GET");
  EXPECT_TRUE(body["response"][0].contains("invitation"));
  EXPECT_FALSE(body["response"][1].contains("invitation"));
}

TEST_F(LifecycleFixture, ListByAGuestIs403) {
  send(request("GET", "/api/2.0/people/filter", "", Role::Guest));
  EXPECT_EQ(only_response().status, 403);
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, ListBadQueryIs400WithGetLinks) {
  send(request("GET", "/api/2.0/people/filter?employeeStatus=9", ""));
  const auto body = body_of(only_response());
  EXPECT_EQ(only_response().status, 400);
  EXPECT_EQ(body["links"][0]["action"], "GET");
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, ListChecksTheTokenBeforeTheQuery) {
  send(request("GET", "/api/2.0/people/filter?employeeStatus=9", "", std::nullopt));
  EXPECT_EQ(only_response().status, 401);
}

// ---------------------------------------------------------------- disable, delete

TEST_F(LifecycleFixture, DisablePublishesTheTargets) {
  send(request("PUT", "/api/2.0/people/status/2", ids_body()));
  const auto command = published();
  EXPECT_EQ(command.kind, CommandKind::Disable);
  EXPECT_EQ(command.caller_id, kOwnerId);
  EXPECT_EQ(command.user_ids, std::vector<std::string>{std::string(kUserId)});
}

TEST_F(LifecycleFixture, DeletePublishesADeleteCommand) {
  send(request("PUT", "/api/2.0/people/delete", ids_body()));
  EXPECT_EQ(published().kind, CommandKind::Delete);
}

TEST_F(LifecycleFixture, DisableByARoomAdminIs403) {
  send(request("PUT", "/api/2.0/people/status/2", ids_body(), Role::RoomAdmin));
  EXPECT_EQ(only_response().status, 403);
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, DisablingOneselfIs403) {
  send(request("PUT", "/api/2.0/people/status/2", ids_body(kAdminId), Role::DocSpaceAdmin, kAdminId));
  EXPECT_EQ(only_response().status, 403);
  EXPECT_TRUE(publisher_.one_calls.empty());
}

TEST_F(LifecycleFixture, DisableWithoutUserIdsIs400) {
  send(request("PUT", "/api/2.0/people/status/2", "{}"));
  EXPECT_TRUE(body_of(only_response())["response"]["errors"].contains("UserIds"));
}

TEST_F(LifecycleFixture, DisableAnswersTheTargets) {
  send(request("PUT", "/api/2.0/people/status/2", ids_body()));
  auto disabled = pending_user();
  disabled.status = domain::EmployeeStatus::Terminated;
  reply(users({disabled}));
  const auto body = body_of(only_response());
  EXPECT_EQ(only_response().status, 200);
  EXPECT_EQ(body["response"][0]["status"], 2);
  EXPECT_FALSE(body["response"][0].contains("invitation")) << "no longer pending";
}

class RevokeRefusal : public LifecycleFixture,
                      public ::testing::WithParamInterface<std::pair<const char*, RefusalCase>> {};

TEST_P(RevokeRefusal, AnswersTheOutcomesStatus) {
  send(request("PUT", GetParam().first, ids_body()));
  reply(outcome(GetParam().second.outcome));
  EXPECT_EQ(only_response().status, GetParam().second.status);
  EXPECT_EQ(error_type_of(only_response()), GetParam().second.type);
}

INSTANTIATE_TEST_SUITE_P(
    Outcomes, RevokeRefusal,
    ::testing::Values(std::pair{"/api/2.0/people/status/2", RefusalCase{Outcome::Forbidden, 403, "AccessDenied"}},
                      std::pair{"/api/2.0/people/status/2", RefusalCase{Outcome::NotFound, 404, "UserNotFound"}},
                      std::pair{"/api/2.0/people/status/2", RefusalCase{Outcome::NotDisabled, 500, "Internal"}},
                      std::pair{"/api/2.0/people/delete", RefusalCase{Outcome::NotDisabled, 400, "UserNotDisabled"}},
                      std::pair{"/api/2.0/people/delete", RefusalCase{Outcome::NotFound, 404, "UserNotFound"}},
                      std::pair{"/api/2.0/people/invite", RefusalCase{Outcome::Forbidden, 403, "AccessDenied"}},
                      std::pair{"/api/2.0/people/invite", RefusalCase{Outcome::LinkInvalid, 500, "Internal"}}));

// ---------------------------------------------------------------- hostile bodies

struct HostileCase {
  const char* target;
  std::string body;
};
class HostileBody : public LifecycleFixture, public ::testing::WithParamInterface<HostileCase> {};

TEST_P(HostileBody, Is400WithTheValidationEnvelopeAndNothingPublished) {
  auto r = std::string(GetParam().target) == "/api/2.0/people" ? accept_request(GetParam().body)
           : std::string(GetParam().target) == "/api/2.0/authentication/confirm"
               ? confirm_request(GetParam().body)
               : request("PUT", GetParam().target, GetParam().body);
  send(std::move(r));
  EXPECT_EQ(only_response().status, 400);
  EXPECT_EQ(body_of(only_response())["statusCode"], 400);
  EXPECT_TRUE(publisher_.one_calls.empty());
  EXPECT_TRUE(hasher_.jobs.empty());
}

std::string deep(std::size_t depth) {
  return R"({"userIds":)" + std::string(depth, '[') + std::string(depth, ']') + "}";
}
std::string many_ids(std::size_t n) {
  std::string body = R"({"userIds":[)";
  for (std::size_t i = 0; i < n; ++i) body += (i ? ",\"" : "\"") + std::string(kUserId) + "\"";
  return body + "]}";
}

INSTANTIATE_TEST_SUITE_P(
    Bodies, HostileBody,
    ::testing::Values(
        HostileCase{"/api/2.0/authentication/confirm", R"({"type":1,"key":"1.a","email":"a@b.c","Email":"x@y.z"})"},
        HostileCase{"/api/2.0/authentication/confirm", R"({"type":1,"key":["1.a"],"email":"a@b.c"})"},
        HostileCase{"/api/2.0/authentication/confirm",
                    R"({"type":1,"key":")" + std::string(200, 'k') + R"(","email":"a@b.c"})"},
        HostileCase{"/api/2.0/authentication/confirm", std::string(100, '[') + std::string(100, ']')},
        HostileCase{"/api/2.0/people", accept_body() + "x"},
        HostileCase{"/api/2.0/people", R"({"fromInviteLink":"true","email":"ann@example.com","type":4,)"
                                       R"("key":"1.a","firstName":"A","lastName":"B","password":"long enough"})"},
        HostileCase{"/api/2.0/people", R"({"fromInviteLink":true,"email":"ann@example.com","type":4,"key":"1.a",)"
                                       R"("firstName":"A","lastName":"B","password":"long enough",)"
                                       R"("PASSWORD":"other one"})"},
        HostileCase{"/api/2.0/people", R"({"fromInviteLink":true,"email":"ann@example.com","type":4,"key":"1.a",)"
                                       R"("firstName":"<b>","lastName":"B","password":12345678})"},
        HostileCase{"/api/2.0/people",
                    std::string(R"({"fromInviteLink":true,"password":")") + std::string(121, 'p') + "\"}"},
        HostileCase{"/api/2.0/people/invite", R"({"userIds":"not-a-list"})"},
        HostileCase{"/api/2.0/people/invite", R"({"resendAll":"true"})"},
        HostileCase{"/api/2.0/people/invite", many_ids(1001)}, HostileCase{"/api/2.0/people/status/2", deep(80)},
        HostileCase{"/api/2.0/people/status/2", R"({"userIds":[],"USERIDS":[]})"},
        HostileCase{"/api/2.0/people/delete", std::string("{\"userIds\":[]}\0", 15)}));

}  // namespace
}  // namespace invite::gateway
