// The worker's dead-letter policy: which records it sets aside, and what it writes to the dead-letter topic.
#include "dead_letters.hpp"

#include "invite/events/commands.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace invite::worker {
namespace {

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

// Answers partition counts only; the policy never produces.
class MetadataProducer final : public kafka::Producer {
 public:
  explicit MetadataProducer(std::optional<std::int32_t> reply_partitions) : reply_partitions_(reply_partitions) {}
  void produce(kafka::OutRecord, std::function<void(const kafka::DeliveryReport&)>) override { ADD_FAILURE(); }
  std::size_t queued() const override { return 0; }
  bool connected() const override { return true; }
  int flush(std::chrono::milliseconds) override { return 0; }
  std::optional<std::int32_t> partition_count(const std::string& topic, std::chrono::milliseconds) override {
    EXPECT_EQ(topic, events::topics::kReplies);
    ++asked;
    return reply_partitions_;
  }
  int asked = 0;

 private:
  std::optional<std::int32_t> reply_partitions_;
};

domain::PortalDirectory portals() {
  domain::Portal p;
  p.host = "docs.example.com";
  p.display_name = "Example Docs";
  p.base_url = "https://docs.example.com";
  p.default_culture = "en-US";
  return domain::PortalDirectory({p});
}

kafka::InRecord requested(const std::string& portal, std::int32_t reply_partition) {
  events::RequestedInvitation r;
  r.event_id = "eeeeeeee-0000-4000-8000-000000000001";
  r.occurred_at_ms = 1'790'000'000'000;
  r.request_id = "aaaaaaaa-0000-4000-8000-000000000001";
  r.index = 0;
  r.count = 1;
  r.deadline_ms = r.occurred_at_ms + 10'000;
  r.portal = portal;
  r.inviter_id = "11111111-1111-4111-8111-111111111111";
  r.inviter_role = domain::Role::DocSpaceAdmin;
  r.culture = "en-US";
  r.invitation = {"ann@example.com", domain::EmployeeType::User};
  r.reply_partition = reply_partition;
  kafka::InRecord record;
  record.topic = std::string(events::topics::kRequested);
  record.key = portal;
  record.value = events::encode_requested(r);
  return record;
}

kafka::InRecord command_record(const std::string& portal, std::string value_suffix = "") {
  events::PeopleCommand c;
  c.event_id = "eeeeeeee-0000-4000-8000-000000000002";
  c.occurred_at_ms = 1'790'000'000'000;
  c.request_id = "aaaaaaaa-0000-4000-8000-000000000002";
  c.deadline_ms = c.occurred_at_ms + 10'000;
  c.portal = portal;
  c.reply_partition = 1;
  c.kind = events::CommandKind::List;
  c.caller_id = "11111111-1111-4111-8111-111111111111";
  c.caller_role = domain::Role::Owner;
  kafka::InRecord record;
  record.topic = std::string(events::topics::kRequested);
  record.key = portal;
  record.value = events::encode_command(c);
  if (!value_suffix.empty()) {
    // Replaces the command's name, keeping the rest of the record.
    const auto at = record.value.find("\"list\"");
    record.value.replace(at, 6, value_suffix);
  }
  return record;
}

TEST(Admit, AcceptsACommand) {
  MetadataProducer producer(4);
  ReplyPartitions replies(producer);
  const auto admitted = admit(command_record("docs.example.com"), portals(), replies);
  ASSERT_TRUE(admitted.has_value()) << admitted.error().message;
  ASSERT_TRUE(std::holds_alternative<events::PeopleCommand>(*admitted));
  EXPECT_EQ(std::get<events::PeopleCommand>(*admitted).kind, events::CommandKind::List);
}

TEST(Admit, SetsAsideACommandOfAnUnknownPortal) {
  MetadataProducer producer(4);
  ReplyPartitions replies(producer);
  const auto admitted = admit(command_record("elsewhere.example.com"), portals(), replies);
  ASSERT_FALSE(admitted.has_value());
  EXPECT_EQ(admitted.error().message, "unknown portal: elsewhere.example.com");
}

TEST(Admit, SetsAsideACommandThatDoesNotDecode) {
  MetadataProducer producer(4);
  ReplyPartitions replies(producer);
  EXPECT_FALSE(admit(command_record("docs.example.com", "\"rename\""), portals(), replies));
}

TEST(Admit, AcceptsARecordItCanApply) {
  MetadataProducer producer(4);
  ReplyPartitions replies(producer);
  const auto admitted = admit(requested("docs.example.com", 3), portals(), replies);
  ASSERT_TRUE(admitted.has_value()) << admitted.error().message;
  ASSERT_TRUE(std::holds_alternative<events::RequestedInvitation>(*admitted));
  EXPECT_EQ(std::get<events::RequestedInvitation>(*admitted).portal, "docs.example.com");
}

TEST(Admit, SetsAsideWhatDoesNotDecode) {
  MetadataProducer producer(4);
  ReplyPartitions replies(producer);
  kafka::InRecord record;
  record.value = "{not json";
  EXPECT_FALSE(admit(record, portals(), replies));
  EXPECT_EQ(producer.asked, 0);
}

TEST(Admit, SetsAsideAnUnknownPortal) {
  MetadataProducer producer(4);
  ReplyPartitions replies(producer);
  const auto admitted = admit(requested("elsewhere.example.com", 0), portals(), replies);
  ASSERT_FALSE(admitted.has_value());
  EXPECT_EQ(admitted.error().message, "unknown portal: elsewhere.example.com");
}

TEST(Admit, SetsAsideAReplyPartitionThatDoesNotExist) {
  MetadataProducer producer(4);
  ReplyPartitions replies(producer);
  const auto admitted = admit(requested("docs.example.com", 4), portals(), replies);
  ASSERT_FALSE(admitted.has_value());
  EXPECT_EQ(admitted.error().message, "replyPartition: 4 is not a partition of invite.replies.v1 (4 partitions)");
}

TEST(Admit, AcceptsWhenTheClusterCannotTellHowManyReplyPartitionsThereAre) {
  MetadataProducer producer(std::nullopt);
  ReplyPartitions replies(producer);
  EXPECT_TRUE(admit(requested("docs.example.com", 9), portals(), replies))
      << "the relay retries the reply until it can tell";
}

TEST(ReplyPartitionsCache, AsksTheClusterAtMostOnceASecond) {
  MetadataProducer producer(2);
  ReplyPartitions replies(producer);
  EXPECT_TRUE(replies.exists(1));
  EXPECT_FALSE(replies.exists(2));
  EXPECT_FALSE(replies.exists(7));
  EXPECT_TRUE(replies.exists(0));
  EXPECT_EQ(producer.asked, 1);
  EXPECT_EQ(replies.known(), 2);
}

TEST(DlqMessage, KeepsTheRecordAndSaysWhyAndWhere) {
  kafka::InRecord record;
  record.topic = std::string(events::topics::kRequested);
  record.partition = 3;
  record.offset = 42;
  record.key = "docs.example.com";
  record.value = "{not json";
  record.headers = {{"correlation-id", "abc"}, {"traceparent", kTraceparent}};

  const auto row = dlq_message(record, "$: not valid JSON");
  EXPECT_EQ(row.topic, "invite.requested.v1.dlq");
  EXPECT_EQ(row.partition, std::nullopt);
  EXPECT_EQ(row.key, "docs.example.com");
  EXPECT_EQ(row.value, "{not json");
  const std::vector<std::pair<std::string, std::string>> expected = {{"correlation-id", "abc"},
                                                                     {"traceparent", kTraceparent},
                                                                     {"dlq-error", "$: not valid JSON"},
                                                                     {"dlq-source", "invite.requested.v1/3/42"}};
  EXPECT_EQ(row.headers, expected);
}

}  // namespace
}  // namespace invite::worker
