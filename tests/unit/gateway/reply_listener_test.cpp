// The reply path: the pending map's once-only completion and the listener that feeds it from Kafka records.
#include "reply_listener.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/events/events.hpp"
#include "pending_requests.hpp"

namespace invite::gateway {
namespace {

// handle() must not need a broker; every call here would mean it does.
class UnusedConsumer final : public kafka::Consumer {
 public:
  common::Result<> assign(const std::vector<kafka::Assignment>&) override {
    ADD_FAILURE() << "assign";
    return {};
  }
  kafka::PollResult poll(std::chrono::milliseconds) override {
    ADD_FAILURE() << "poll";
    return kafka::PollTimeout{};
  }
  void commit(const std::string&, std::int32_t, std::int64_t) override { ADD_FAILURE() << "commit"; }
  std::optional<std::pair<std::int64_t, std::int64_t>> watermarks(const std::string&, std::int32_t,
                                                                  std::chrono::milliseconds) override {
    ADD_FAILURE() << "watermarks";
    return std::nullopt;
  }
  std::optional<std::int32_t> partition_count(const std::string&, std::chrono::milliseconds) override {
    ADD_FAILURE() << "partition_count";
    return std::nullopt;
  }
  void close() override {}
};

events::InviteReply sample_reply(std::string request_id) {
  events::InviteReply reply;
  reply.event_id = "bbbbbbbb-0000-4000-8000-000000000001";
  reply.occurred_at_ms = 1'790'000'000'000;
  reply.request_id = std::move(request_id);
  reply.portal = "localhost";
  reply.outcome = domain::Outcome::Ok;
  domain::User user;
  user.id = "cccccccc-0000-4000-8000-000000000001";
  user.portal = "localhost";
  user.email = "ann@example.com";
  user.user_name = "ann";
  user.type = domain::EmployeeType::User;
  user.culture = "en-US";
  user.created_by = "11111111-1111-4111-8111-111111111111";
  user.created_at_ms = 1'790'000'000'000;
  reply.users.push_back(user);
  return reply;
}

kafka::InRecord record_with(std::string value) {
  kafka::InRecord record;
  record.topic = std::string(events::topics::kReplies);
  record.partition = 0;
  record.offset = 17;
  record.value = std::move(value);
  return record;
}

class ReplyListenerTest : public ::testing::Test {
 protected:
  double counter(const char* name) { return metrics_.counter(name, "").value(); }

  UnusedConsumer consumer_;
  PendingRequests pending_{10};
  common::Registry metrics_;
  GatewayMetrics gateway_metrics_{metrics_};
  ReplyListener listener_{consumer_, pending_, gateway_metrics_, 0};
};

TEST_F(ReplyListenerTest, EncodedReplyCompletesItsPendingRequest) {
  const std::string id = "aaaaaaaa-0000-4000-8000-000000000001";
  std::vector<Completion> seen;
  ASSERT_TRUE(pending_.add(id, [&](Completion c) { seen.push_back(std::move(c)); }));
  bool other_called = false;
  ASSERT_TRUE(pending_.add("aaaaaaaa-0000-4000-8000-000000000002", [&](Completion) { other_called = true; }));

  const auto reply = sample_reply(id);
  listener_.handle(record_with(events::encode_reply(reply)));

  ASSERT_EQ(seen.size(), 1u);
  const auto* received = std::get_if<events::InviteReply>(&seen[0]);
  ASSERT_NE(received, nullptr);
  EXPECT_EQ(*received, reply);
  EXPECT_FALSE(other_called);
  EXPECT_EQ(pending_.size(), 1u);
  EXPECT_EQ(counter("invite_gateway_replies_total"), 1.0);
  EXPECT_EQ(counter("invite_gateway_late_replies_total"), 0.0);
}

TEST_F(ReplyListenerTest, ReplyForUnknownRequestIsCountedLate) {
  listener_.handle(record_with(events::encode_reply(sample_reply("aaaaaaaa-0000-4000-8000-00000000dead"))));
  EXPECT_EQ(counter("invite_gateway_late_replies_total"), 1.0);
  EXPECT_NE(metrics_.render().find("invite_gateway_late_replies_total 1"), std::string::npos) << metrics_.render();
}

TEST_F(ReplyListenerTest, SecondReplyForTheSameRequestIsLate) {
  const std::string id = "aaaaaaaa-0000-4000-8000-000000000001";
  int calls = 0;
  ASSERT_TRUE(pending_.add(id, [&](Completion) { ++calls; }));
  listener_.handle(record_with(events::encode_reply(sample_reply(id))));
  listener_.handle(record_with(events::encode_reply(sample_reply(id))));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(counter("invite_gateway_late_replies_total"), 1.0);
}

TEST_F(ReplyListenerTest, UndecodableRecordCompletesNothing) {
  const std::string id = "aaaaaaaa-0000-4000-8000-000000000001";
  int calls = 0;
  ASSERT_TRUE(pending_.add(id, [&](Completion) { ++calls; }));
  listener_.handle(record_with("{\"requestId\":\"" + id + "\"}"));
  listener_.handle(record_with("not json"));
  EXPECT_EQ(calls, 0);
  EXPECT_EQ(pending_.size(), 1u);
  EXPECT_EQ(counter("invite_gateway_bad_replies_total"), 2.0);
  EXPECT_EQ(counter("invite_gateway_late_replies_total"), 0.0);
}

TEST(PendingRequests, CompletesEachEntryOnce) {
  PendingRequests pending(4);
  std::vector<Completion> seen;
  ASSERT_TRUE(pending.add("r1", [&](Completion c) { seen.push_back(std::move(c)); }));
  EXPECT_FALSE(pending.add("r1", [](Completion) {})) << "a request id is waited for once";
  EXPECT_TRUE(pending.complete("r1", TimedOut{}));
  EXPECT_FALSE(pending.complete("r1", events::InviteReply{}));
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_TRUE(std::holds_alternative<TimedOut>(seen[0]));
  EXPECT_EQ(pending.size(), 0u);
  EXPECT_FALSE(pending.complete("never-added", TimedOut{}));
}

TEST(PendingRequests, RefusesBeyondCapacityUntilAnEntryCompletes) {
  PendingRequests pending(1);
  ASSERT_TRUE(pending.add("r1", [](Completion) {}));
  EXPECT_FALSE(pending.add("r2", [](Completion) {}));
  EXPECT_EQ(pending.size(), 1u);
  ASSERT_TRUE(pending.complete("r1", PublishFailed{"down"}));
  EXPECT_TRUE(pending.add("r2", [](Completion) {}));
}

TEST(PendingRequests, CallbackMayTouchTheMap) {
  // Completions run outside the lock: a callback that reads the size (as the endpoint does) must not deadlock.
  PendingRequests pending(2);
  std::size_t size_seen = 99;
  ASSERT_TRUE(pending.add("r1", [&](Completion) { size_seen = pending.size(); }));
  ASSERT_TRUE(pending.complete("r1", TimedOut{}));
  EXPECT_EQ(size_seen, 0u);
}

}  // namespace
}  // namespace invite::gateway
