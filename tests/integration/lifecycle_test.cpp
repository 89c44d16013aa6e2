// The worker's side of the invitation's life through the real binaries: command records produced by hand to
// invite.requested.v1 (as a gateway would), answered on the reply partition they name, and the mailer's statuses
// (produced by hand too) followed into the listing. The HTTP endpoints are the gateway's and tested with it.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>

#include "invite/common/ids.hpp"
#include "invite/events/commands.hpp"
#include "invite/events/events.hpp"
#include "stack.hpp"

namespace invite::testing {
namespace {

using namespace std::chrono_literals;

constexpr std::int32_t kReplyPartition = 2;  // not the gateway's (0): nobody else reads it

class Lifecycle : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack();
    auto created = kafka::Producer::create(stack_->brokers(), {}, 5s, "it-lifecycle");
    ASSERT_TRUE(created) << created.error().message;
    producer_ = created->release();
  }
  static void TearDownTestSuite() {
    delete producer_;
    producer_ = nullptr;
    delete stack_;
    stack_ = nullptr;
  }
  static Stack& stack() { return *stack_; }

  static void produce(std::string_view topic, const std::string& key, std::string value, common::Headers headers) {
    std::atomic<bool> delivered{false};
    producer_->produce({std::string(topic), std::nullopt, key, std::move(value), std::move(headers)},
                       [&](const kafka::DeliveryReport& report) { delivered = report.ok; });
    ASSERT_EQ(producer_->flush(5s), 0);
    ASSERT_TRUE(delivered);
  }

  static events::PeopleCommand command(events::CommandKind kind) {
    events::PeopleCommand c;
    c.event_id = common::new_uuid();
    c.occurred_at_ms = common::now_ms();
    c.request_id = common::new_uuid();
    c.deadline_ms = c.occurred_at_ms + 10'000;
    c.portal = "localhost";
    c.reply_partition = kReplyPartition;
    c.kind = kind;
    c.caller_id = common::new_uuid();
    c.caller_role = domain::Role::Owner;
    return c;
  }

  // Publishes the command as a gateway does (key = portal, correlation-id, reply-partition) and waits for the
  // worker's reply to it.
  static std::optional<events::InviteReply> ask(const events::PeopleCommand& c) {
    produce(events::topics::kRequested, c.portal, events::encode_command(c),
            {{std::string(events::headers::kCorrelationId), c.request_id},
             {std::string(events::headers::kReplyPartition), std::to_string(c.reply_partition)}});
    std::optional<events::InviteReply> reply;
    eventually([&] {
      for (const auto& record : stack().read_topic(std::string(events::topics::kReplies), 0, 2s)) {
        if (record.key != c.request_id) continue;
        EXPECT_EQ(record.partition, c.reply_partition);
        EXPECT_EQ(kafka::header(record.headers, events::headers::kCorrelationId), c.request_id);
        auto decoded = events::decode_reply(record.value);
        EXPECT_TRUE(decoded) << decoded.error().message;
        if (decoded) reply = *decoded;
      }
      return reply.has_value();
    });
    return reply;
  }

  // A query parameter of a confirmation link (key, encemail and uid need no URL decoding).
  static std::string param(const std::string& link, const std::string& name) {
    const auto start = link.find("&" + name + "=");
    if (start == std::string::npos) return {};
    const auto from = start + name.size() + 2;
    return link.substr(from, link.find('&', from) - from);
  }

  // Invites a fresh address through the gateway and returns its e-mail job.
  static events::EmailJob invited(const std::string& name) {
    const auto address = name + "." + common::random_hex(4) + "@example.com";
    const auto reply = stack().invite(invite_body({{address, "User"}}), stack().owner_token());
    EXPECT_EQ(reply.status, 200) << reply.body;
    const auto jobs = stack().email_jobs_for(address, 1);
    EXPECT_EQ(jobs.size(), 1u);
    return jobs.empty() ? events::EmailJob{} : jobs[0];
  }

  static Stack* stack_;
  static kafka::Producer* producer_;
};
Stack* Lifecycle::stack_ = nullptr;
kafka::Producer* Lifecycle::producer_ = nullptr;

TEST_F(Lifecycle, ConfirmOfAnInvitationsLinkIsAnsweredOkOnTheReplyPartition) {
  const auto job = invited("confirm");
  auto c = command(events::CommandKind::Confirm);
  c.link.key = param(job.confirmation_link, "key");
  c.link.encemail = param(job.confirmation_link, "encemail");
  c.link.inviter_id = param(job.confirmation_link, "uid");
  c.link.type = domain::EmployeeType::User;
  const auto reply = ask(c);
  ASSERT_TRUE(reply) << "no reply to " << c.request_id;
  EXPECT_EQ(reply->outcome, domain::Outcome::Ok);
  EXPECT_EQ(reply->command, events::CommandKind::Confirm);
  ASSERT_TRUE(reply->validation);
  EXPECT_EQ(reply->validation->result, domain::ValidationResult::Ok);
  EXPECT_EQ(reply->validation->email, job.recipient_email);
}

TEST_F(Lifecycle, AFailedDeliveryReportedByTheMailerShowsInTheList) {
  const auto job = invited("undeliverable");
  events::EmailStatus status;
  status.event_id = common::new_uuid();
  status.occurred_at_ms = common::now_ms();
  status.request_id = job.request_id;
  status.portal = job.portal;
  status.job_event_id = job.event_id;
  status.recipient_email = job.recipient_email;
  status.recipient_user_id = job.recipient_user_id;
  status.status = domain::DeliveryStatus::Failed;
  status.message_id = "<" + job.event_id + "@example.com>";
  status.culture = "en-US";
  status.smtp_code = 550;
  status.reason = "550 5.1.1 mailbox unavailable";
  produce(events::topics::kEmailStatus, job.portal, events::encode_email_status(status), {});

  // The status and the listing travel on different topics: ask until the status has been applied.
  std::optional<domain::Delivery> delivery;
  EXPECT_TRUE(eventually(
      [&] {
        auto c = command(events::CommandKind::List);
        c.query.filter.text = job.recipient_email;
        const auto reply = ask(c);
        if (!reply || reply->outcome != domain::Outcome::Ok || reply->users.size() != 1) return false;
        const auto it = reply->invitations.find(job.recipient_user_id);
        if (it != reply->invitations.end()) delivery = it->second.delivery;
        return delivery.has_value();
      },
      20s));
  ASSERT_TRUE(delivery);
  EXPECT_EQ(delivery->status, domain::DeliveryStatus::Failed);
  EXPECT_EQ(delivery->reason, "550 5.1.1 mailbox unavailable");
}

TEST_F(Lifecycle, ACommandOfAPortalTheWorkerDoesNotServeGoesToTheDlq) {
  auto c = command(events::CommandKind::List);
  c.portal = "unknown.example.com";
  produce(events::topics::kRequested, c.portal, events::encode_command(c), {});
  EXPECT_TRUE(eventually([&] {
    for (const auto& record : stack().read_topic(std::string(events::topics::kRequestedDlq), 0, 2s)) {
      if (record.value.find(c.request_id) != std::string::npos) return true;
    }
    return false;
  }));
}

}  // namespace
}  // namespace invite::testing
