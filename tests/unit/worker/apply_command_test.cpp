// The commands of the invitation's life, one behaviour per test: what each command reads from a real partition
// file, what it decides, and what its commit writes - the reply, the user's new state, the events and e-mail jobs.
#include "apply_command.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "invite/domain/invite_link.hpp"
#include "invite/domain/lifecycle.hpp"
#include "invite/events/commands.hpp"
#include "invite/store/partition_store.hpp"
#include "support/temp_dir.hpp"

namespace invite::worker {
namespace {

using domain::EmployeeType;
using domain::Outcome;
using domain::Role;
using domain::ValidationResult;
using events::CommandKind;

constexpr std::int64_t kInvitedMs = 1'790'000'000'000;
constexpr std::int64_t kNowMs = kInvitedMs + 3'600'000;  // an hour after the invitation
constexpr std::int64_t kDayMs = 24 * 3'600'000;
constexpr std::string_view kLinkSecret = "link-secret-for-unit-tests";
constexpr const char* kPortal = "docs.example.com";
constexpr const char* kInviter = "11111111-1111-4111-8111-111111111111";
constexpr const char* kAdmin = "22222222-2222-4222-8222-222222222222";
constexpr const char* kRequestId = "aaaaaaaa-0000-4000-8000-000000000001";
constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
constexpr const char* kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2g";

domain::Portal portal() {
  domain::Portal p;
  p.host = kPortal;
  p.display_name = "Example Docs";
  p.base_url = "https://docs.example.com";
  p.default_culture = "en-US";
  return p;
}

// A query parameter of a confirmation link (the values the tests read need no URL decoding: digits, base64url,
// uuids).
std::string param(const std::string& link, const std::string& name) {
  const auto start = link.find("&" + name + "=");
  if (start == std::string::npos) return {};
  const auto from = start + name.size() + 2;
  return link.substr(from, link.find('&', from) - from);
}

// The values the confirm body (or the accept's header) carries for a link, as the web client sends them.
domain::LinkValues values_of(const std::string& link, EmployeeType type) {
  domain::LinkValues values;
  values.key = param(link, "key");
  values.encemail = param(link, "encemail");
  values.type = type;
  values.inviter_id = param(link, "uid");
  return values;
}

class ApplyCommandTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::PartitionStore::open(store::PartitionStore::file_for(dir_.path(), 0));
    ASSERT_TRUE(opened) << opened.error().message;
    store_ = std::move(*opened);
  }

  CommitContext context(std::int64_t now_ms) {
    CommitContext ctx;
    ctx.portal = &portal_;
    ctx.link_secret = kLinkSecret;
    ctx.now_ms = now_ms;
    ctx.new_id = [this] {
      const auto n = std::to_string(++ids_);
      return "dddddddd-0000-4000-8000-" + std::string(12 - n.size(), '0') + n;
    };
    return ctx;
  }

  // A pending user invited by kInviter at kInvitedMs, stored as an invite stores it.
  domain::User invite(const std::string& email, EmployeeType type = EmployeeType::User) {
    domain::User user;
    const auto n = std::to_string(++users_);
    user.id = "cccccccc-0000-4000-8000-" + std::string(12 - n.size(), '0') + n;
    user.portal = kPortal;
    user.email = email;
    user.user_name = email.substr(0, email.find('@'));
    user.type = type;
    user.culture = "fr-FR";
    user.created_by = kInviter;
    user.created_at_ms = kInvitedMs;
    store::RequestCommit commit;
    commit.request_id = "bbbbbbbb-0000-4000-8000-" + std::string(12 - n.size(), '0') + n;
    commit.portal = kPortal;
    commit.create.push_back(user);
    commit.next_offset = ++offset_;
    store_->apply(commit);
    return user;
  }

  // The link of the user's first e-mail, as apply_request signs it.
  std::string first_link(const domain::User& user) const {
    return domain::invite_link(portal_, {user.email, user.type, kInviter, user.culture, kInvitedMs}, kLinkSecret);
  }

  events::PeopleCommand command(CommandKind kind, Role caller = Role::DocSpaceAdmin) {
    events::PeopleCommand c;
    const auto n = std::to_string(++requests_);
    c.event_id = "eeeeeeee-0000-4000-8000-" + std::string(12 - n.size(), '0') + n;
    c.occurred_at_ms = kNowMs - 20;
    c.request_id = "aaaaaaaa-0000-4000-8000-" + std::string(12 - n.size(), '0') + n;
    c.deadline_ms = kNowMs + 10'000;
    c.portal = kPortal;
    c.reply_partition = 5;
    c.kind = kind;
    c.caller_id = kAdmin;
    c.caller_role = caller;
    return c;
  }

  events::PeopleCommand confirm_of(const std::string& link, EmployeeType type) {
    auto c = command(CommandKind::Confirm);
    c.link = values_of(link, type);
    return c;
  }

  events::PeopleCommand accept_of(const domain::User& user, const std::string& link) {
    auto c = command(CommandKind::Accept);
    c.link = values_of(link, user.type);
    c.body_email = user.email;
    c.body_type = user.type;
    c.body_key = c.link.key;
    c.first_name = "Ann";
    c.last_name = "Lee";
    c.password_hash = kHash;
    c.culture = "de-DE";
    c.spam = true;
    return c;
  }

  events::PeopleCommand targets(CommandKind kind, const std::vector<std::string>& ids, Role caller = Role::Owner) {
    auto c = command(kind, caller);
    c.user_ids = ids;
    return c;
  }

  CommandDecision decide(const events::PeopleCommand& c, std::int64_t now_ms = kNowMs) {
    return decide_command(c, *store_, context(now_ms), {kTraceparent});
  }

  // Decides and stores the commit, as the loop does.
  CommandDecision run(const events::PeopleCommand& c, std::int64_t now_ms = kNowMs) {
    auto decision = decide(c, now_ms);
    decision.commit.next_offset = ++offset_;
    store_->apply(decision.commit);
    return decision;
  }

  static events::InviteReply reply_of(const CommandDecision& decision) {
    EXPECT_FALSE(decision.commit.outbox.empty());
    EXPECT_EQ(decision.commit.outbox.front().topic, events::topics::kReplies);
    auto reply = events::decode_reply(decision.commit.outbox.front().value);
    EXPECT_TRUE(reply) << reply.error().message;
    return reply ? *reply : events::InviteReply{};
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

  // Nothing of the commit changes a user: only the reply and the applied request id.
  static bool changes_nothing(const store::RequestCommit& commit) {
    return commit.create.empty() && commit.raise.empty() && commit.activate.empty() && commit.reissue.empty() &&
           commit.disable.empty() && commit.remove.empty() && commit.deliveries.empty() && !commit.rate_window &&
           commit.outbox.size() == 1;
  }

  store::StoredPerson stored(const domain::User& user) {
    const auto found = store_->find_people(kPortal, {user.id});
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? store::StoredPerson{} : found.front();
  }

  ValidationResult validation_of(const std::string& link, EmployeeType type, std::int64_t now_ms = kNowMs) {
    const auto reply = reply_of(decide(confirm_of(link, type), now_ms));
    EXPECT_TRUE(reply.validation);
    return reply.validation ? reply.validation->result : ValidationResult::Invalid;
  }

  domain::Portal portal_ = portal();
  int ids_ = 0;
  int users_ = 0;
  int requests_ = 0;
  std::int64_t offset_ = 0;
  invite::testing::TempDir dir_;
  std::unique_ptr<store::PartitionStore> store_;
};

// ---- every command ----

TEST_F(ApplyCommandTest, TheReplyGoesToTheAskingGatewaysPartitionKeyedByRequestIdWithTheRequestsHeaders) {
  const auto c = command(CommandKind::List);
  const auto decision = decide(c);
  const auto& row = decision.commit.outbox.front();
  EXPECT_EQ(row.topic, events::topics::kReplies);
  EXPECT_EQ(row.partition, 5);
  EXPECT_EQ(row.key, c.request_id);
  const auto headers = headers_of(row);
  EXPECT_EQ(headers.at("correlation-id"), c.request_id);
  EXPECT_EQ(headers.at("traceparent"), kTraceparent);
}

TEST_F(ApplyCommandTest, TheReplyNamesTheCommandItAnswers) {
  const auto reply = reply_of(decide(command(CommandKind::List)));
  ASSERT_TRUE(reply.command);
  EXPECT_EQ(*reply.command, CommandKind::List);
  EXPECT_EQ(reply.portal, kPortal);
}

TEST_F(ApplyCommandTest, EveryCommandIsRecordedAsAppliedSoThatARecordReadAgainIsSkipped) {
  const auto user = invite("ann@example.com");
  std::vector<events::PeopleCommand> commands = {
      confirm_of(first_link(user), user.type),  accept_of(user, first_link(user)),
      targets(CommandKind::Resend, {user.id}),  command(CommandKind::List),
      targets(CommandKind::Disable, {user.id}), targets(CommandKind::Delete, {user.id})};
  for (const auto& c : commands) {
    const auto decision = run(c);
    EXPECT_EQ(decision.commit.request_id, c.request_id);
    EXPECT_TRUE(store_->request_applied(c.request_id)) << events::to_string(c.kind);
  }
}

TEST_F(ApplyCommandTest, AReadPastItsDeadlineIsSkipped) {
  auto c = command(CommandKind::Confirm);
  c.deadline_ms = kNowMs - 1;
  EXPECT_TRUE(skip_as_expired(c, kNowMs));
  c.kind = CommandKind::List;
  EXPECT_TRUE(skip_as_expired(c, kNowMs));
}

TEST_F(ApplyCommandTest, AReadWithinItsDeadlineIsApplied) {
  auto c = command(CommandKind::Confirm);
  c.deadline_ms = kNowMs;
  EXPECT_FALSE(skip_as_expired(c, kNowMs));
}

TEST_F(ApplyCommandTest, ChangesAreAppliedWhateverTheirDeadline) {
  for (const auto kind : {CommandKind::Accept, CommandKind::Resend, CommandKind::Disable, CommandKind::Delete}) {
    auto c = command(kind);
    c.deadline_ms = kNowMs - 60'000;
    EXPECT_FALSE(skip_as_expired(c, kNowMs)) << events::to_string(kind);
  }
}

// ---- confirm ----

TEST_F(ApplyCommandTest, ConfirmOfAPendingUsersLinkSaysOkWithTheEmail) {
  const auto user = invite("Ann@Example.com");
  const auto reply = reply_of(decide(confirm_of(first_link(user), user.type)));
  EXPECT_EQ(reply.outcome, Outcome::Ok);
  ASSERT_TRUE(reply.validation);
  EXPECT_EQ(reply.validation->result, ValidationResult::Ok);
  EXPECT_EQ(reply.validation->email, "Ann@Example.com");
}

TEST_F(ApplyCommandTest, ConfirmFindsTheUserByThePlainEmailToo) {
  const auto user = invite("ann@example.com");
  auto c = confirm_of(first_link(user), user.type);
  c.link.encemail.reset();
  c.link.email = "ANN@example.com";
  const auto reply = reply_of(decide(c));
  ASSERT_TRUE(reply.validation);
  EXPECT_EQ(reply.validation->result, ValidationResult::Ok);
}

TEST_F(ApplyCommandTest, ConfirmOfATamperedKeySaysInvalid) {
  const auto user = invite("ann@example.com");
  auto c = confirm_of(first_link(user), user.type);
  c.link.key.back() = c.link.key.back() == 'A' ? 'B' : 'A';
  const auto reply = reply_of(decide(c));
  EXPECT_EQ(reply.outcome, Outcome::Ok);
  ASSERT_TRUE(reply.validation);
  EXPECT_EQ(reply.validation->result, ValidationResult::Invalid);
  EXPECT_EQ(reply.validation->email, "");
}

TEST_F(ApplyCommandTest, ConfirmOfALinkOlderThanSevenDaysSaysExpired) {
  const auto user = invite("ann@example.com");
  EXPECT_EQ(validation_of(first_link(user), user.type, kInvitedMs + 7 * kDayMs + 1), ValidationResult::Expired);
}

TEST_F(ApplyCommandTest, ConfirmOfAnAcceptedUsersLinkSaysUserExisted) {
  const auto user = invite("ann@example.com");
  ASSERT_EQ(run(accept_of(user, first_link(user))).outcome, Outcome::Ok);
  EXPECT_EQ(validation_of(first_link(user), user.type), ValidationResult::UserExisted);
}

TEST_F(ApplyCommandTest, ConfirmOfADisabledUsersLinkSaysInvalid) {
  const auto user = invite("ann@example.com");
  ASSERT_EQ(run(targets(CommandKind::Disable, {user.id})).outcome, Outcome::Ok);
  EXPECT_EQ(validation_of(first_link(user), user.type), ValidationResult::Invalid);
}

TEST_F(ApplyCommandTest, ConfirmChangesNothing) {
  const auto user = invite("ann@example.com");
  const auto decision = run(confirm_of(first_link(user), user.type));
  EXPECT_TRUE(changes_nothing(decision.commit));
  EXPECT_EQ(validation_of(first_link(user), user.type), ValidationResult::Ok) << "opening never consumes a link";
}

// ---- accept ----

TEST_F(ApplyCommandTest, AcceptActivatesThePendingUserWithTheBodysValues) {
  const auto user = invite("ann@example.com");
  const auto decision = run(accept_of(user, first_link(user)));
  ASSERT_EQ(decision.outcome, Outcome::Ok);
  ASSERT_EQ(decision.commit.activate.size(), 1u);
  const auto& a = decision.commit.activate[0];
  EXPECT_EQ(a.user_id, user.id);
  EXPECT_EQ(a.first_name, "Ann");
  EXPECT_EQ(a.last_name, "Lee");
  EXPECT_EQ(a.culture, "de-DE");
  EXPECT_EQ(a.password_hash, kHash);
  EXPECT_TRUE(a.spam);
  EXPECT_EQ(a.activated_at_ms, kNowMs);
  const auto person = stored(user);
  EXPECT_EQ(person.user.status, domain::EmployeeStatus::Active);
  EXPECT_EQ(person.user.activation_status, domain::ActivationStatus::Activated);
  EXPECT_TRUE(person.has_password);
}

TEST_F(ApplyCommandTest, AcceptKeepsTheInvitationsCultureWhenTheBodyGivesNone) {
  const auto user = invite("ann@example.com");
  auto c = accept_of(user, first_link(user));
  c.culture.clear();
  const auto decision = run(c);
  ASSERT_EQ(decision.commit.activate.size(), 1u);
  EXPECT_EQ(decision.commit.activate[0].culture, "fr-FR");
  EXPECT_EQ(stored(user).user.culture, "fr-FR");
}

TEST_F(ApplyCommandTest, AcceptRepliesTheActivatedUser) {
  const auto user = invite("ann@example.com");
  const auto reply = reply_of(run(accept_of(user, first_link(user))));
  EXPECT_EQ(reply.outcome, Outcome::Ok);
  ASSERT_EQ(reply.users.size(), 1u);
  EXPECT_EQ(reply.users[0].id, user.id);
  EXPECT_EQ(reply.users[0].first_name, "Ann");
  EXPECT_EQ(reply.users[0].status, domain::EmployeeStatus::Active);
  EXPECT_TRUE(reply.invitations.empty()) << "no longer pending";
}

TEST_F(ApplyCommandTest, AcceptPublishesUserActivatedKeyedByPortal) {
  const auto user = invite("ann@example.com");
  const auto c = accept_of(user, first_link(user));
  const auto decision = run(c);
  const auto rows = rows_of(decision.commit, events::topics::kUserActivated);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->key, kPortal);
  EXPECT_FALSE(rows[0]->partition);
  EXPECT_EQ(headers_of(*rows[0]).at("correlation-id"), c.request_id);
  const auto event = events::decode_user_activated(rows[0]->value);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->request_id, c.request_id);
  EXPECT_EQ(event->portal, kPortal);
  EXPECT_EQ(event->user.id, user.id);
  EXPECT_EQ(event->user.status, domain::EmployeeStatus::Active);
  EXPECT_EQ(event->user.culture, "de-DE");
  EXPECT_EQ(event->activated_at_ms, kNowMs);
}

TEST_F(ApplyCommandTest, AcceptOfAForgedLinkIsLinkInvalid) {
  const auto user = invite("ann@example.com");
  auto c = accept_of(user, first_link(user));
  c.link.key = c.body_key = std::to_string(kInvitedMs) + ".forged";
  EXPECT_EQ(decide(c).outcome, Outcome::LinkInvalid);
}

TEST_F(ApplyCommandTest, AcceptOfAnExpiredLinkIsLinkExpired) {
  const auto user = invite("ann@example.com");
  EXPECT_EQ(decide(accept_of(user, first_link(user)), kInvitedMs + 8 * kDayMs).outcome, Outcome::LinkExpired);
}

TEST_F(ApplyCommandTest, AcceptWithABodyThatDiffersFromTheLinkIsLinkMismatch) {
  const auto user = invite("ann@example.com");
  auto c = accept_of(user, first_link(user));
  c.body_type = EmployeeType::DocSpaceAdmin;
  EXPECT_EQ(decide(c).outcome, Outcome::LinkMismatch);
}

TEST_F(ApplyCommandTest, AcceptOnAPortalThatDoesNotAllowInvitationsIsInvitationsDisabled) {
  const auto user = invite("ann@example.com");
  portal_.allow_inviting_members = false;
  EXPECT_EQ(decide(accept_of(user, first_link(user))).outcome, Outcome::InvitationsDisabled);
}

TEST_F(ApplyCommandTest, ASecondAcceptIsNotPending) {
  const auto user = invite("ann@example.com");
  ASSERT_EQ(run(accept_of(user, first_link(user))).outcome, Outcome::Ok);
  EXPECT_EQ(decide(accept_of(user, first_link(user))).outcome, Outcome::NotPending);
}

TEST_F(ApplyCommandTest, ARefusedAcceptRepliesItsOutcomeAndChangesNothing) {
  const auto user = invite("ann@example.com");
  auto c = accept_of(user, first_link(user));
  c.body_key = "1.other";
  const auto decision = run(c);
  EXPECT_TRUE(changes_nothing(decision.commit));
  const auto reply = reply_of(decision);
  EXPECT_EQ(reply.outcome, Outcome::LinkMismatch);
  EXPECT_TRUE(reply.users.empty());
  EXPECT_EQ(stored(user).user.status, domain::EmployeeStatus::Pending);
}

// ---- resend ----

TEST_F(ApplyCommandTest, ResendQueuesAResendJobWithAFreshLinkSignedForTheCaller) {
  const auto user = invite("ann@example.com");
  const auto c = targets(CommandKind::Resend, {user.id}, Role::DocSpaceAdmin);
  const auto decision = run(c);
  ASSERT_EQ(decision.outcome, Outcome::Ok);
  const auto rows = rows_of(decision.commit, events::topics::kEmails);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->key, kPortal);
  EXPECT_EQ(headers_of(*rows[0]).at("traceparent"), kTraceparent);
  const auto job = events::decode_email_job(rows[0]->value);
  ASSERT_TRUE(job) << job.error().message;
  EXPECT_TRUE(job->resend);
  EXPECT_EQ(job->request_id, c.request_id);
  EXPECT_EQ(job->recipient_user_id, user.id);
  EXPECT_EQ(job->recipient_email, "ann@example.com");
  EXPECT_EQ(job->culture, "fr-FR");
  EXPECT_EQ(job->inviter_id, kAdmin);
  EXPECT_EQ(job->portal_name, "Example Docs");
  EXPECT_EQ(job->expires_at_ms, kNowMs + 7 * kDayMs);
  EXPECT_EQ(job->confirmation_link,
            domain::invite_link(portal_, {user.email, user.type, kAdmin, user.culture, kNowMs}, kLinkSecret));
}

TEST_F(ApplyCommandTest, ResendReissuesTheLinkNamingTheNewJob) {
  const auto user = invite("ann@example.com");
  const auto decision = run(targets(CommandKind::Resend, {user.id}, Role::DocSpaceAdmin));
  ASSERT_EQ(decision.commit.reissue.size(), 1u);
  const auto job = events::decode_email_job(rows_of(decision.commit, events::topics::kEmails).at(0)->value);
  ASSERT_TRUE(job);
  EXPECT_EQ(decision.commit.reissue[0], (store::ReissuedLink{user.id, kNowMs, kAdmin, job->event_id}));
}

TEST_F(ApplyCommandTest, AfterAResendTheNewLinkChecksOkAndTheOlderOneInvalid) {
  const auto user = invite("ann@example.com");
  const auto decision = run(targets(CommandKind::Resend, {user.id}, Role::DocSpaceAdmin));
  const auto job = events::decode_email_job(rows_of(decision.commit, events::topics::kEmails).at(0)->value);
  ASSERT_TRUE(job);
  EXPECT_EQ(validation_of(job->confirmation_link, user.type), ValidationResult::Ok);
  EXPECT_EQ(validation_of(first_link(user), user.type), ValidationResult::Invalid);
}

TEST_F(ApplyCommandTest, ResendRepliesTheTargetsWithTheirNewInvitation) {
  const auto user = invite("ann@example.com");
  const auto reply = reply_of(run(targets(CommandKind::Resend, {user.id}, Role::DocSpaceAdmin)));
  EXPECT_EQ(reply.outcome, Outcome::Ok);
  ASSERT_EQ(reply.users.size(), 1u);
  EXPECT_EQ(reply.users[0].id, user.id);
  ASSERT_EQ(reply.invitations.count(user.id), 1u);
  const auto& invitation = reply.invitations.at(user.id);
  EXPECT_EQ(invitation.sent_at_ms, kNowMs);
  EXPECT_EQ(invitation.times_resent, 1);
  EXPECT_EQ(invitation.inviter_id, kAdmin);
  EXPECT_EQ(invitation, stored(user).invitation) << "the reply shows what the file now holds";
}

TEST_F(ApplyCommandTest, ResendSkipsUnreachableTargetsSilently) {
  const auto admin = invite("admin@example.com", EmployeeType::DocSpaceAdmin);
  const auto decision = run(targets(CommandKind::Resend, {admin.id}, Role::RoomAdmin));
  EXPECT_EQ(decision.outcome, Outcome::Ok);
  EXPECT_TRUE(decision.commit.reissue.empty());
  EXPECT_TRUE(rows_of(decision.commit, events::topics::kEmails).empty());
  const auto reply = reply_of(decision);
  ASSERT_EQ(reply.users.size(), 1u) << "still one of the targets the caller can see";
  EXPECT_EQ(reply.invitations.at(admin.id).times_resent, 0);
}

TEST_F(ApplyCommandTest, ResendSkipsActivatedAndDisabledTargets) {
  const auto accepted = invite("ann@example.com");
  const auto disabled = invite("bob@example.com");
  ASSERT_EQ(run(accept_of(accepted, first_link(accepted))).outcome, Outcome::Ok);
  ASSERT_EQ(run(targets(CommandKind::Disable, {disabled.id})).outcome, Outcome::Ok);
  const auto decision = run(targets(CommandKind::Resend, {accepted.id, disabled.id}));
  EXPECT_EQ(decision.outcome, Outcome::Ok);
  EXPECT_TRUE(decision.commit.reissue.empty());
  EXPECT_TRUE(rows_of(decision.commit, events::topics::kEmails).empty());
}

TEST_F(ApplyCommandTest, ResendLeavesUnknownIdsOutOfTheReply) {
  const auto user = invite("ann@example.com");
  const auto reply = reply_of(run(targets(CommandKind::Resend, {"99999999-0000-4000-8000-000000000000", user.id})));
  EXPECT_EQ(reply.outcome, Outcome::Ok);
  ASSERT_EQ(reply.users.size(), 1u);
  EXPECT_EQ(reply.users[0].id, user.id);
}

TEST_F(ApplyCommandTest, ResendAllResendsEveryPendingUser) {
  const auto ann = invite("ann@example.com");
  const auto bob = invite("bob@example.com", EmployeeType::RoomAdmin);
  auto c = command(CommandKind::Resend, Role::Owner);
  c.resend_all = true;
  const auto decision = run(c);
  ASSERT_EQ(decision.commit.reissue.size(), 2u);
  EXPECT_EQ(rows_of(decision.commit, events::topics::kEmails).size(), 2u);
  EXPECT_EQ(stored(ann).invitation.times_resent, 1);
  EXPECT_EQ(stored(bob).invitation.times_resent, 1);
}

TEST_F(ApplyCommandTest, ResendAllByAUserIsForbidden) {
  invite("ann@example.com");
  auto c = command(CommandKind::Resend, Role::User);
  c.resend_all = true;
  const auto decision = run(c);
  EXPECT_EQ(decision.outcome, Outcome::Forbidden);
  EXPECT_TRUE(changes_nothing(decision.commit));
  EXPECT_EQ(store_->rate_window(kPortal, kAdmin), domain::RateWindow{}) << "a refused request spends no budget";
}

TEST_F(ApplyCommandTest, ResendCountsInTheCallersWindow) {
  const auto decision = run(targets(CommandKind::Resend, {}, Role::RoomAdmin));
  ASSERT_TRUE(decision.commit.rate_window);
  EXPECT_EQ(decision.commit.rate_window->caller_id, kAdmin);
  EXPECT_EQ(store_->rate_window(kPortal, kAdmin), (domain::RateWindow{kNowMs, 1}));
}

TEST_F(ApplyCommandTest, TheEleventhResendWithinTenMinutesIsRateLimitedUntilTheWindowEnds) {
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(run(targets(CommandKind::Resend, {}, Role::RoomAdmin), kNowMs + i * 1000).outcome, Outcome::Ok);
  }
  const auto decision = run(targets(CommandKind::Resend, {}, Role::RoomAdmin), kNowMs + 60'000);
  EXPECT_EQ(decision.outcome, Outcome::RateLimited);
  const auto reply = reply_of(decision);
  ASSERT_TRUE(reply.retry_after_seconds);
  EXPECT_EQ(*reply.retry_after_seconds, 9 * 60);
  EXPECT_TRUE(reply.users.empty());
}

TEST_F(ApplyCommandTest, ARateLimitedResendChangesNothing) {
  const auto user = invite("ann@example.com");
  for (int i = 0; i < 10; ++i) run(targets(CommandKind::Resend, {}, Role::RoomAdmin));
  const auto decision = run(targets(CommandKind::Resend, {user.id}, Role::RoomAdmin));
  ASSERT_EQ(decision.outcome, Outcome::RateLimited);
  EXPECT_TRUE(changes_nothing(decision.commit));
  EXPECT_EQ(stored(user).invitation.times_resent, 0);
}

TEST_F(ApplyCommandTest, TheResendLimitIsPerCaller) {
  for (int i = 0; i < 10; ++i) run(targets(CommandKind::Resend, {}, Role::RoomAdmin));
  auto other = targets(CommandKind::Resend, {}, Role::RoomAdmin);
  other.caller_id = kInviter;
  EXPECT_EQ(decide(other).outcome, Outcome::Ok);
}

// ---- list ----

TEST_F(ApplyCommandTest, ListRepliesOnePageAndTheTotal) {
  invite("ann@example.com");
  invite("bob@example.com");
  invite("cid@example.com");
  auto c = command(CommandKind::List, Role::User);
  c.query.sort_by = domain::SortBy::Email;
  c.query.start_index = 1;
  c.query.count = 1;
  const auto reply = reply_of(run(c));
  EXPECT_EQ(reply.outcome, Outcome::Ok);
  ASSERT_EQ(reply.users.size(), 1u);
  EXPECT_EQ(reply.users[0].email, "bob@example.com");
  ASSERT_TRUE(reply.total);
  EXPECT_EQ(*reply.total, 3);
}

TEST_F(ApplyCommandTest, ListCarriesTheInvitationOfPendingUsersOnly) {
  const auto pending = invite("ann@example.com");
  const auto accepted = invite("bob@example.com");
  ASSERT_EQ(run(accept_of(accepted, first_link(accepted))).outcome, Outcome::Ok);
  const auto reply = reply_of(run(command(CommandKind::List)));
  ASSERT_EQ(reply.users.size(), 2u);
  ASSERT_EQ(reply.invitations.size(), 1u);
  const auto& invitation = reply.invitations.at(pending.id);
  EXPECT_EQ(invitation.sent_at_ms, kInvitedMs);
  EXPECT_EQ(invitation.inviter_id, kInviter);
  EXPECT_FALSE(invitation.delivery);
}

TEST_F(ApplyCommandTest, ListByAGuestIsForbidden) {
  invite("ann@example.com");
  const auto decision = run(command(CommandKind::List, Role::Guest));
  EXPECT_EQ(decision.outcome, Outcome::Forbidden);
  const auto reply = reply_of(decision);
  EXPECT_TRUE(reply.users.empty());
  EXPECT_FALSE(reply.total);
}

TEST_F(ApplyCommandTest, ListChangesNothing) {
  invite("ann@example.com");
  EXPECT_TRUE(changes_nothing(run(command(CommandKind::List)).commit));
}

// ---- disable and delete ----

TEST_F(ApplyCommandTest, DisableTerminatesTheTargetsAndRepliesThemAsTheyAreNow) {
  const auto ann = invite("ann@example.com");
  const auto bob = invite("bob@example.com");
  const auto decision = run(targets(CommandKind::Disable, {bob.id, ann.id}, Role::DocSpaceAdmin));
  ASSERT_EQ(decision.outcome, Outcome::Ok);
  EXPECT_EQ(decision.commit.disable, (std::vector<std::string>{bob.id, ann.id}));
  EXPECT_EQ(stored(ann).user.status, domain::EmployeeStatus::Terminated);
  const auto reply = reply_of(decision);
  ASSERT_EQ(reply.users.size(), 2u);
  EXPECT_EQ(reply.users[0].id, bob.id) << "request order";
  EXPECT_EQ(reply.users[0].status, domain::EmployeeStatus::Terminated);
}

TEST_F(ApplyCommandTest, DisablePublishesUserDisabledByTheCaller) {
  const auto user = invite("ann@example.com");
  const auto c = targets(CommandKind::Disable, {user.id}, Role::DocSpaceAdmin);
  const auto decision = run(c);
  const auto rows = rows_of(decision.commit, events::topics::kUserDisabled);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->key, kPortal);
  const auto event = events::decode_user_disabled(rows[0]->value);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->request_id, c.request_id);
  EXPECT_EQ(event->user.id, user.id);
  EXPECT_EQ(event->user.status, domain::EmployeeStatus::Terminated);
  EXPECT_EQ(event->by_id, kAdmin);
  EXPECT_EQ(event->by_role, Role::DocSpaceAdmin);
}

TEST_F(ApplyCommandTest, DisablingADisabledUserAgainPublishesNothing) {
  const auto user = invite("ann@example.com");
  ASSERT_EQ(run(targets(CommandKind::Disable, {user.id})).outcome, Outcome::Ok);
  const auto decision = run(targets(CommandKind::Disable, {user.id}));
  EXPECT_EQ(decision.outcome, Outcome::Ok);
  EXPECT_TRUE(decision.commit.disable.empty());
  EXPECT_TRUE(rows_of(decision.commit, events::topics::kUserDisabled).empty());
  EXPECT_EQ(reply_of(decision).users.size(), 1u);
}

TEST_F(ApplyCommandTest, DisableWithOneUnknownIdIsNotFoundAndDisablesNobody) {
  const auto user = invite("ann@example.com");
  const auto decision = run(targets(CommandKind::Disable, {user.id, "99999999-0000-4000-8000-000000000000"}));
  EXPECT_EQ(decision.outcome, Outcome::NotFound);
  EXPECT_TRUE(changes_nothing(decision.commit));
  EXPECT_EQ(stored(user).user.status, domain::EmployeeStatus::Pending);
}

TEST_F(ApplyCommandTest, DisableOfTheCallerIsForbiddenAndDisablesNobody) {
  const auto other = invite("ann@example.com");
  const auto self = invite("me@example.com", EmployeeType::RoomAdmin);
  auto c = targets(CommandKind::Disable, {other.id, self.id}, Role::DocSpaceAdmin);
  c.caller_id = self.id;
  const auto decision = run(c);
  EXPECT_EQ(decision.outcome, Outcome::Forbidden);
  EXPECT_TRUE(changes_nothing(decision.commit));
  EXPECT_EQ(stored(other).user.status, domain::EmployeeStatus::Pending);
}

TEST_F(ApplyCommandTest, DisableByARoomAdminIsForbidden) {
  const auto user = invite("ann@example.com");
  EXPECT_EQ(decide(targets(CommandKind::Disable, {user.id}, Role::RoomAdmin)).outcome, Outcome::Forbidden);
}

TEST_F(ApplyCommandTest, DisableOfAnUnreachableTargetIsForbidden) {
  const auto admin = invite("admin@example.com", EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(decide(targets(CommandKind::Disable, {admin.id}, Role::DocSpaceAdmin)).outcome, Outcome::Forbidden);
}

TEST_F(ApplyCommandTest, DeleteRemovesDisabledUsersAndRepliesThemAsTheyWere) {
  const auto user = invite("ann@example.com");
  ASSERT_EQ(run(targets(CommandKind::Disable, {user.id})).outcome, Outcome::Ok);
  const auto decision = run(targets(CommandKind::Delete, {user.id}));
  ASSERT_EQ(decision.outcome, Outcome::Ok);
  EXPECT_EQ(decision.commit.remove, std::vector<std::string>{user.id});
  EXPECT_TRUE(store_->find_people(kPortal, {user.id}).empty());
  const auto reply = reply_of(decision);
  ASSERT_EQ(reply.users.size(), 1u);
  EXPECT_EQ(reply.users[0].id, user.id);
  EXPECT_EQ(reply.users[0].status, domain::EmployeeStatus::Terminated);
}

TEST_F(ApplyCommandTest, DeletePublishesUserDeletedByTheCaller) {
  const auto user = invite("ann@example.com");
  ASSERT_EQ(run(targets(CommandKind::Disable, {user.id})).outcome, Outcome::Ok);
  const auto c = targets(CommandKind::Delete, {user.id}, Role::Owner);
  const auto decision = run(c);
  const auto rows = rows_of(decision.commit, events::topics::kUserDeleted);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]->key, kPortal);
  const auto event = events::decode_user_deleted(rows[0]->value);
  ASSERT_TRUE(event) << event.error().message;
  EXPECT_EQ(event->user.id, user.id);
  EXPECT_EQ(event->by_id, kAdmin);
  EXPECT_EQ(event->by_role, Role::Owner);
}

TEST_F(ApplyCommandTest, DeleteOfAUserNotDisabledIsNotDisabledAndDeletesNobody) {
  const auto disabled = invite("ann@example.com");
  const auto pending = invite("bob@example.com");
  ASSERT_EQ(run(targets(CommandKind::Disable, {disabled.id})).outcome, Outcome::Ok);
  const auto decision = run(targets(CommandKind::Delete, {disabled.id, pending.id}));
  EXPECT_EQ(decision.outcome, Outcome::NotDisabled);
  EXPECT_TRUE(changes_nothing(decision.commit));
  EXPECT_EQ(store_->find_people(kPortal, {disabled.id}).size(), 1u);
}

TEST_F(ApplyCommandTest, DeleteOfAnUnknownIdIsNotFound) {
  EXPECT_EQ(decide(targets(CommandKind::Delete, {"99999999-0000-4000-8000-000000000000"})).outcome, Outcome::NotFound);
}

TEST_F(ApplyCommandTest, AfterDeleteTheLinkChecksInvalid) {
  const auto user = invite("ann@example.com");
  ASSERT_EQ(run(targets(CommandKind::Disable, {user.id})).outcome, Outcome::Ok);
  ASSERT_EQ(run(targets(CommandKind::Delete, {user.id})).outcome, Outcome::Ok);
  EXPECT_EQ(validation_of(first_link(user), user.type), ValidationResult::Invalid);
}

}  // namespace
}  // namespace invite::worker
