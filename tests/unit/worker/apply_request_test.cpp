// The apply step, one behaviour per test: what a request's plan reads from the store, and what one decided
// request writes - the reply to the waiting gateway and, per new user, an e-mail job and a domain event.
#include "apply_request.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "invite/common/ids.hpp"
#include "invite/domain/invite_link.hpp"
#include "invite/domain/plan.hpp"
#include "invite/store/partition_store.hpp"
#include "support/temp_dir.hpp"

namespace invite::worker {
namespace {

using domain::EmployeeType;

constexpr std::int64_t kNowMs = 1'790'000'000'123;
constexpr std::string_view kLinkSecret = "link-secret-for-unit-tests";
constexpr const char* kInviter = "11111111-1111-4111-8111-111111111111";
constexpr const char* kRequestId = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

domain::Portal portal() {
  domain::Portal p;
  p.host = "docs.example.com";
  p.display_name = "Example Docs";
  p.base_url = "https://docs.example.com";
  p.default_culture = "en-US";
  return p;
}

CompleteRequest request_of(const std::vector<domain::Invitation>& invitations, std::string traceparent = kTraceparent) {
  CompleteRequest request;
  request.first_offset = 40;
  request.traceparent = std::move(traceparent);
  for (std::size_t i = 0; i < invitations.size(); ++i) {
    events::RequestedInvitation r;
    r.event_id = "eeeeeeee-0000-4000-8000-00000000000" + std::to_string(i);
    r.occurred_at_ms = kNowMs - 50;
    r.request_id = kRequestId;
    r.index = static_cast<int>(i);
    r.count = static_cast<int>(invitations.size());
    r.deadline_ms = kNowMs + 10'000;
    r.portal = "docs.example.com";
    r.inviter_id = kInviter;
    r.inviter_role = domain::Role::DocSpaceAdmin;
    r.culture = "fr-FR";
    r.invitation = invitations[i];
    r.reply_partition = 5;
    request.records.push_back(r);
  }
  return request;
}

class ApplyRequestTest : public ::testing::Test {
 protected:
  CommitContext context() {
    CommitContext ctx;
    ctx.portal = &portal_;
    ctx.link_secret = kLinkSecret;
    ctx.now_ms = kNowMs;
    ctx.new_id = [this] {
      const auto n = std::to_string(++ids_);
      return "dddddddd-0000-4000-8000-" + std::string(12 - n.size(), '0') + n;
    };
    return ctx;
  }

  domain::Plan plan_for(const CompleteRequest& request,
                        const std::unordered_map<std::string, domain::User>& existing = {}) {
    auto input = plan_input(request, portal_, kNowMs);
    input.existing = existing;
    int user_ids = 0;
    return domain::plan_request(input,
                                [&] { return "cccccccc-0000-4000-8000-00000000000" + std::to_string(++user_ids); });
  }

  static std::vector<const common::Message*> rows_of(const store::RequestCommit& commit, std::string_view topic) {
    std::vector<const common::Message*> rows;
    for (const auto& row : commit.outbox) {
      if (row.topic == topic) rows.push_back(&row);
    }
    return rows;
  }

  static std::map<std::string, std::string> headers_of(const common::Message& row) {
    std::map<std::string, std::string> headers;
    for (const auto& [k, v] : row.headers) headers.emplace(k, v);
    return headers;
  }

  // The `key` query parameter of a confirmation link.
  static std::string key_param(const std::string& link) {
    const auto start = link.find("&key=");
    if (start == std::string::npos) return {};
    const auto from = start + 5;
    return link.substr(from, link.find('&', from) - from);
  }

  // Two new users (a User and a DocSpaceAdmin), as most tests of an accepted request need them.
  struct Accepted {
    CompleteRequest request;
    domain::Plan plan;
    store::RequestCommit commit;
  };
  Accepted accepted() {
    Accepted a;
    a.request = request_of({{"Ann@Example.com", EmployeeType::User}, {"bob@example.com", EmployeeType::DocSpaceAdmin}});
    a.plan = plan_for(a.request);
    EXPECT_EQ(a.plan.outcome, domain::Outcome::Ok);
    EXPECT_EQ(a.plan.created.size(), 2u);
    a.commit = build_commit(a.request, a.plan, context());
    return a;
  }

  std::unique_ptr<store::PartitionStore> open_store() {
    auto opened = store::PartitionStore::open(store::PartitionStore::file_for(dir_.path(), 0));
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  domain::Portal portal_ = portal();
  int ids_ = 0;
  invite::testing::TempDir dir_;
};

TEST_F(ApplyRequestTest, PlanInputCarriesTheRequest) {
  const auto request =
      request_of({{"ann@example.com", EmployeeType::User}, {"bob@example.com", EmployeeType::RoomAdmin}});
  const auto input = plan_input(request, portal_, kNowMs);
  EXPECT_EQ(input.portal, &portal_);
  EXPECT_EQ(input.culture, "fr-FR");
  EXPECT_EQ(input.inviter_id, kInviter);
  EXPECT_EQ(input.now_ms, kNowMs);
  ASSERT_EQ(input.invitations.size(), 2u);
  EXPECT_EQ(input.invitations[1], (domain::Invitation{"bob@example.com", EmployeeType::RoomAdmin}));
}

// --- the store's reads ---

TEST_F(ApplyRequestTest, ReadsFindExistingUsersByTheirLowerCasedEmail) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const auto first = request_of({{"Old@Example.com", EmployeeType::User}});
  store->apply(build_commit(first, plan_for(first), context()));

  auto input = plan_input(request_of({{"OLD@example.com", EmployeeType::User}}), portal_, kNowMs);
  read_store(input, *store);
  ASSERT_EQ(input.existing.size(), 1u);
  EXPECT_EQ(input.existing.at("old@example.com").email, "Old@Example.com");
}

TEST_F(ApplyRequestTest, ReadsCountSeatsOnlyWhenThePortalLimitsThemAndTheRequestWantsOne) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const auto admins =
      request_of({{"a@example.com", EmployeeType::RoomAdmin}, {"b@example.com", EmployeeType::DocSpaceAdmin}});
  store->apply(build_commit(admins, plan_for(admins), context()));

  auto unlimited = plan_input(request_of({{"c@example.com", EmployeeType::RoomAdmin}}), portal_, kNowMs);
  read_store(unlimited, *store);
  EXPECT_EQ(unlimited.paid_seats_in_use, 0) << "no seat limit: not counted";

  portal_.paid_seats = 10;
  auto user_only = plan_input(request_of({{"c@example.com", EmployeeType::User}}), portal_, kNowMs);
  read_store(user_only, *store);
  EXPECT_EQ(user_only.paid_seats_in_use, 0) << "a User takes no seat: not counted";

  auto wants_seat = plan_input(request_of({{"c@example.com", EmployeeType::RoomAdmin}}), portal_, kNowMs);
  read_store(wants_seat, *store);
  EXPECT_EQ(wants_seat.paid_seats_in_use, 2);
}

TEST_F(ApplyRequestTest, ReadsTodaysInvitationsOnlyWhenThePortalHasABudget) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const auto earlier = request_of({{"a@example.com", EmployeeType::User}, {"b@example.com", EmployeeType::User}});
  store->apply(build_commit(earlier, plan_for(earlier), context()));

  auto no_budget = plan_input(request_of({{"c@example.com", EmployeeType::User}}), portal_, kNowMs);
  read_store(no_budget, *store);
  EXPECT_EQ(no_budget.invited_today, 0);

  portal_.daily_invitation_budget = 5;
  auto budget = plan_input(request_of({{"c@example.com", EmployeeType::User}}), portal_, kNowMs);
  read_store(budget, *store);
  EXPECT_EQ(budget.invited_today, 2);
}

TEST_F(ApplyRequestTest, DecisionSeesWhatTheStoreHolds) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const auto first = request_of({{"ann@example.com", EmployeeType::User}});
  store->apply(build_commit(first, plan_for(first), context()));

  const auto again = decide_request(request_of({{"ann@example.com", EmployeeType::DocSpaceAdmin}}), *store, context());
  EXPECT_EQ(again.outcome, domain::Outcome::Ok);
  EXPECT_EQ(again.created, 0u);
  EXPECT_EQ(again.raised, 1u);
  EXPECT_EQ(again.commit.raise.size(), 1u);
  EXPECT_EQ(again.commit.next_offset, 0) << "left to the worker loop";
}

TEST_F(ApplyRequestTest, DecisionCountsTheUsersItCreates) {
  auto store = open_store();
  ASSERT_NE(store, nullptr);
  const auto decision =
      decide_request(request_of({{"ann@example.com", EmployeeType::User}, {"bob@example.com", EmployeeType::User}}),
                     *store, context());
  EXPECT_EQ(decision.outcome, domain::Outcome::Ok);
  EXPECT_EQ(decision.created, 2u);
  EXPECT_EQ(decision.raised, 0u);
  EXPECT_EQ(decision.commit.create.size(), 2u);
}

// --- the commit of an accepted request ---

TEST_F(ApplyRequestTest, AcceptedCommitRecordsTheRequestAndItsUsers) {
  const auto a = accepted();
  EXPECT_EQ(a.commit.request_id, kRequestId);
  EXPECT_EQ(a.commit.portal, "docs.example.com");
  EXPECT_EQ(a.commit.day, common::utc_day(kNowMs));
  EXPECT_EQ(a.commit.invited, 2);
  EXPECT_EQ(a.commit.create, a.plan.created);
  EXPECT_EQ(a.commit.next_offset, 0) << "left to the worker loop";
  EXPECT_EQ(a.commit.outbox.size(), 5u);
}

TEST_F(ApplyRequestTest, ReplyIsWrittenFirstToTheGatewaysPartition) {
  const auto a = accepted();
  const auto replies = rows_of(a.commit, events::topics::kReplies);
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], &a.commit.outbox.front()) << "the reply is written first";
  EXPECT_EQ(replies[0]->partition, std::optional<std::int32_t>(5));
  EXPECT_EQ(replies[0]->key, kRequestId);
}

TEST_F(ApplyRequestTest, ReplyCarriesTheUsers) {
  const auto a = accepted();
  auto decoded = events::decode_reply(a.commit.outbox.front().value);
  ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
  const auto& reply = decoded.value();
  EXPECT_EQ(reply.request_id, kRequestId);
  EXPECT_EQ(reply.portal, "docs.example.com");
  EXPECT_EQ(reply.outcome, domain::Outcome::Ok);
  EXPECT_EQ(reply.users, a.plan.users);
  EXPECT_EQ(reply.occurred_at_ms, kNowMs);
}

TEST_F(ApplyRequestTest, OneEmailJobPerCreatedUser) {
  const auto a = accepted();
  const auto emails = rows_of(a.commit, events::topics::kEmails);
  ASSERT_EQ(emails.size(), 2u);
  for (std::size_t i = 0; i < emails.size(); ++i) {
    SCOPED_TRACE(i);
    const auto& user = a.plan.created[i];
    EXPECT_EQ(emails[i]->key, "docs.example.com");
    EXPECT_EQ(emails[i]->partition, std::nullopt) << "partitioned by key";
    auto job_or = events::decode_email_job(emails[i]->value);
    ASSERT_TRUE(job_or.has_value()) << job_or.error().message;
    const auto& job = job_or.value();
    EXPECT_EQ(job.subject, "Join Example Docs DocSpace");
    EXPECT_EQ(job.portal_name, "Example Docs");
    EXPECT_EQ(job.recipient_email, user.email);
    EXPECT_EQ(job.recipient_user_id, user.id);
    EXPECT_EQ(job.culture, "fr-FR");
    EXPECT_EQ(job.inviter_id, kInviter);
    EXPECT_EQ(job.request_id, kRequestId);
    EXPECT_EQ(job.expires_at_ms, kNowMs + domain::kInviteLinkValidity.count());
  }
}

TEST_F(ApplyRequestTest, EmailJobKeepsTheAddressAsInvited) {
  const auto a = accepted();
  const auto emails = rows_of(a.commit, events::topics::kEmails);
  ASSERT_FALSE(emails.empty());
  EXPECT_EQ(events::decode_email_job(emails[0]->value).value().recipient_email, "Ann@Example.com");
}

TEST_F(ApplyRequestTest, ConfirmationLinksAreSignedWithTheLinkSecret) {
  const auto a = accepted();
  const auto emails = rows_of(a.commit, events::topics::kEmails);
  ASSERT_EQ(emails.size(), 2u);
  for (std::size_t i = 0; i < emails.size(); ++i) {
    SCOPED_TRACE(i);
    const auto& user = a.plan.created[i];
    const auto job = events::decode_email_job(emails[i]->value).value();
    EXPECT_TRUE(job.confirmation_link.starts_with("https://docs.example.com/confirm/LinkInvite?type=LinkInvite&key="))
        << job.confirmation_link;
    const auto key = key_param(job.confirmation_link);
    EXPECT_EQ(domain::check_invite_key(key, user.email, user.type, "docs.example.com", kNowMs + 1000, kLinkSecret),
              domain::LinkCheck::Valid)
        << job.confirmation_link;
    EXPECT_EQ(domain::check_invite_key(key, user.email, user.type, "docs.example.com", kNowMs, "another secret"),
              domain::LinkCheck::Invalid);
  }
}

TEST_F(ApplyRequestTest, OneUserInvitedEventPerCreatedUser) {
  const auto a = accepted();
  const auto events = rows_of(a.commit, events::topics::kUserInvited);
  ASSERT_EQ(events.size(), 2u);
  for (std::size_t i = 0; i < events.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(events[i]->key, "docs.example.com");
    auto event_or = events::decode_user_invited(events[i]->value);
    ASSERT_TRUE(event_or.has_value()) << event_or.error().message;
    const auto& event = event_or.value();
    EXPECT_EQ(event.user.id, a.plan.created[i].id);
    EXPECT_EQ(event.user.email, a.plan.created[i].email);
    EXPECT_EQ(event.user.type, a.plan.created[i].type);
    EXPECT_EQ(event.inviter_id, kInviter);
    EXPECT_EQ(event.inviter_role, domain::Role::DocSpaceAdmin);
    EXPECT_EQ(event.request_id, kRequestId);
  }
}

TEST_F(ApplyRequestTest, EveryRowCarriesCorrelationAndTraceHeaders) {
  const auto a = accepted();
  for (const auto& row : a.commit.outbox) {
    const auto headers = headers_of(row);
    EXPECT_EQ(headers.at("correlation-id"), kRequestId) << row.topic;
    EXPECT_EQ(headers.at("traceparent"), kTraceparent) << row.topic;
  }
}

TEST_F(ApplyRequestTest, EveryEventHasItsOwnId) {
  const auto a = accepted();
  std::vector<std::string> event_ids;
  event_ids.push_back(events::decode_reply(a.commit.outbox.front().value).value().event_id);
  for (const auto* row : rows_of(a.commit, events::topics::kEmails)) {
    event_ids.push_back(events::decode_email_job(row->value).value().event_id);
  }
  for (const auto* row : rows_of(a.commit, events::topics::kUserInvited)) {
    event_ids.push_back(events::decode_user_invited(row->value).value().event_id);
  }
  ASSERT_EQ(event_ids.size(), 5u);
  std::sort(event_ids.begin(), event_ids.end());
  EXPECT_EQ(std::adjacent_find(event_ids.begin(), event_ids.end()), event_ids.end()) << "event ids are unique";
}

// --- existing users, rejected plans, requests without a trace ---

TEST_F(ApplyRequestTest, ExistingUsersGetNoEmailButAreInTheReply) {
  const auto request =
      request_of({{"old@example.com", EmployeeType::DocSpaceAdmin}, {"new@example.com", EmployeeType::User}});
  domain::User old;
  old.id = "bbbbbbbb-0000-4000-8000-000000000001";
  old.portal = "docs.example.com";
  old.email = "old@example.com";
  old.user_name = "old";
  old.type = EmployeeType::User;
  old.status = domain::EmployeeStatus::Active;
  old.activation_status = domain::ActivationStatus::Activated;
  old.culture = "en-US";
  const auto plan = plan_for(request, {{"old@example.com", old}});
  ASSERT_EQ(plan.outcome, domain::Outcome::Ok);

  const auto commit = build_commit(request, plan, context());
  EXPECT_EQ(commit.invited, 1);
  ASSERT_EQ(commit.raise.size(), 1u);
  EXPECT_EQ(commit.raise[0].id, old.id);
  EXPECT_EQ(commit.raise[0].type, EmployeeType::DocSpaceAdmin);
  const auto emails = rows_of(commit, events::topics::kEmails);
  ASSERT_EQ(emails.size(), 1u);
  EXPECT_EQ(events::decode_email_job(emails[0]->value).value().recipient_email, "new@example.com");
  EXPECT_EQ(rows_of(commit, events::topics::kUserInvited).size(), 1u);

  const auto reply = events::decode_reply(commit.outbox.front().value).value();
  ASSERT_EQ(reply.users.size(), 2u);
  EXPECT_EQ(reply.users[0].id, old.id);
  EXPECT_EQ(reply.users[1].email, "new@example.com");
}

TEST_F(ApplyRequestTest, RejectedPlanWritesOnlyTheReply) {
  const auto request = request_of({{"ann@example.com", EmployeeType::DocSpaceAdmin}});
  domain::Plan plan;
  plan.outcome = domain::Outcome::DailyBudgetExceeded;
  plan.rate_limit = domain::RateLimit{3, 0, common::next_utc_midnight_ms(kNowMs)};

  const auto commit = build_commit(request, plan, context());
  ASSERT_EQ(commit.outbox.size(), 1u);
  const auto& row = commit.outbox[0];
  EXPECT_EQ(row.topic, events::topics::kReplies);
  EXPECT_EQ(row.partition, std::optional<std::int32_t>(5));
  EXPECT_EQ(row.key, kRequestId);
  EXPECT_TRUE(commit.create.empty());
  EXPECT_TRUE(commit.raise.empty());
  EXPECT_EQ(commit.invited, 0);
  EXPECT_EQ(commit.request_id, kRequestId) << "a rejected request is still decided, not re-applied on replay";

  const auto reply = events::decode_reply(row.value).value();
  EXPECT_EQ(reply.outcome, domain::Outcome::DailyBudgetExceeded);
  // The deprecated message older gateways forward, written by the codec rather than by the worker.
  EXPECT_EQ(reply.message, "The daily invitation limit of the portal is reached.");
  EXPECT_EQ(reply.rate_limit, plan.rate_limit);
  EXPECT_TRUE(reply.users.empty());
}

TEST_F(ApplyRequestTest, RejectedPlanFromTheRulesHasNoUsers) {
  portal_.paid_seats = 0;
  const auto request = request_of({{"ann@example.com", EmployeeType::RoomAdmin}});
  const auto plan = plan_for(request);
  ASSERT_EQ(plan.outcome, domain::Outcome::PaidSeatsExceeded);
  const auto commit = build_commit(request, plan, context());
  ASSERT_EQ(commit.outbox.size(), 1u);
  const auto reply = events::decode_reply(commit.outbox[0].value).value();
  EXPECT_EQ(reply.outcome, domain::Outcome::PaidSeatsExceeded);
  EXPECT_TRUE(reply.users.empty());
  EXPECT_TRUE(commit.create.empty());
}

TEST_F(ApplyRequestTest, NoTraceparentHeaderWithoutATrace) {
  const auto request = request_of({{"ann@example.com", EmployeeType::User}}, "");
  const auto commit = build_commit(request, plan_for(request), context());
  ASSERT_EQ(commit.outbox.size(), 3u);
  for (const auto& row : commit.outbox) {
    const auto headers = headers_of(row);
    EXPECT_EQ(headers.count("traceparent"), 0u) << row.topic;
    EXPECT_EQ(headers.at("correlation-id"), kRequestId);
  }
}

}  // namespace
}  // namespace invite::worker
