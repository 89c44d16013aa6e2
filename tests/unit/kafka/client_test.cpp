#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>

#include "invite/kafka/client.hpp"

namespace invite::kafka {
namespace {

using namespace std::chrono_literals;

template <typename T>
std::unique_ptr<T> unwrap(common::Result<std::unique_ptr<T>> result) {
  if (!result) {
    ADD_FAILURE() << result.error().message;
    return nullptr;
  }
  return std::move(*result);
}

class KafkaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cluster_ = unwrap(MockCluster::create(1));
    ASSERT_NE(cluster_, nullptr);
    ASSERT_TRUE(cluster_->create_topic("t", 4));
    producer_ = unwrap(Producer::create(brokers(), {}, 10s, "test-producer"));
    ASSERT_NE(producer_, nullptr);
  }

  std::string brokers() const { return cluster_->bootstrap_servers(); }

  std::unique_ptr<Consumer> consumer(const std::string& group = "") {
    return unwrap(Consumer::create(brokers(), group, {}, "test-consumer"));
  }

  DeliveryReport produce_sync(OutRecord record) {
    std::promise<DeliveryReport> done;
    auto future = done.get_future();
    producer_->produce(std::move(record), [&done](const DeliveryReport& r) { done.set_value(r); });
    EXPECT_EQ(future.wait_for(15s), std::future_status::ready);
    return future.get();
  }

  // The next record (skipping EOFs and timeouts), or nullopt after the deadline.
  static std::optional<InRecord> next_record(Consumer& c, std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      PollResult r = c.poll(200ms);
      if (auto* record = std::get_if<InRecord>(&r)) return *record;
      if (auto* error = std::get_if<PollError>(&r)) ADD_FAILURE() << "poll error: " << error->message;
    }
    return std::nullopt;
  }

  static std::optional<PartitionEof> next_eof(Consumer& c, std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
      PollResult r = c.poll(200ms);
      if (auto* eof = std::get_if<PartitionEof>(&r)) return *eof;
    }
    return std::nullopt;
  }

  // The group's committed offset, read with librdkafka itself, independent of our adapter; OFFSET_INVALID when
  // nothing was committed, nullopt when the query fails.
  std::optional<std::int64_t> committed(const std::string& group, std::int32_t partition) const {
    std::string error;
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    conf->set("bootstrap.servers", brokers(), error);
    conf->set("group.id", group, error);
    std::unique_ptr<RdKafka::KafkaConsumer> observer(RdKafka::KafkaConsumer::create(conf.get(), error));
    if (!observer) {
      ADD_FAILURE() << error;
      return std::nullopt;
    }
    std::vector<RdKafka::TopicPartition*> query{RdKafka::TopicPartition::create("t", partition)};
    std::optional<std::int64_t> offset;
    if (observer->committed(query, 5000) == RdKafka::ERR_NO_ERROR) offset = query[0]->offset();
    RdKafka::TopicPartition::destroy(query);
    observer->close();
    return offset;
  }

  std::unique_ptr<MockCluster> cluster_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(KafkaTest, RoundTripKeepsKeyValueAndHeaders) {
  const DeliveryReport report = produce_sync(
      {"t", std::nullopt, "portal.example", "{\"a\":1}", {{"correlation-id", "r1"}, {"traceparent", "00-x"}}});
  ASSERT_TRUE(report.ok) << report.error;
  ASSERT_GE(report.partition, 0);
  EXPECT_EQ(report.offset, 0);

  auto c = consumer();
  ASSERT_TRUE(c->assign({{"t", report.partition, kOffsetBeginning}}));
  auto record = next_record(*c);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->topic, "t");
  EXPECT_EQ(record->partition, report.partition);
  EXPECT_EQ(record->offset, 0);
  EXPECT_EQ(record->key, "portal.example");
  EXPECT_EQ(record->value, "{\"a\":1}");
  EXPECT_EQ(record->headers, (Headers{{"correlation-id", "r1"}, {"traceparent", "00-x"}}));
  EXPECT_EQ(header(record->headers, "traceparent"), "00-x");
  EXPECT_EQ(header(record->headers, "reply-partition"), std::nullopt);
  EXPECT_GT(record->timestamp_ms, 1'600'000'000'000);
}

TEST_F(KafkaTest, SameKeyLandsOnTheMurmur2Partition) {
  for (const std::string key : {"a.example", "b.example", "localhost", "docspace.example.org", "x", "y", "z"}) {
    const auto expected = rd_kafka_msg_partitioner_murmur2(nullptr, key.data(), key.size(), 4, nullptr, nullptr);
    const DeliveryReport first = produce_sync({"t", std::nullopt, key, "1", {}});
    const DeliveryReport second = produce_sync({"t", std::nullopt, key, "2", {}});
    ASSERT_TRUE(first.ok && second.ok) << first.error << second.error;
    EXPECT_EQ(first.partition, expected) << key;
    EXPECT_EQ(second.partition, first.partition) << key;
    EXPECT_EQ(second.offset, first.offset + 1) << key;
  }
}

TEST_F(KafkaTest, ExplicitPartitionIsHonoured) {
  for (std::int32_t p = 0; p < 4; ++p) {
    const DeliveryReport report = produce_sync({"t", p, "same-key", "v", {}});
    ASSERT_TRUE(report.ok) << report.error;
    EXPECT_EQ(report.partition, p);
  }
  auto c = consumer();
  ASSERT_TRUE(c->assign({{"t", 3, kOffsetBeginning}}));
  auto record = next_record(*c);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->partition, 3);
}

TEST_F(KafkaTest, AssignFromAbsoluteOffsetResumesThereAndReportsEof) {
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(produce_sync({"t", 0, "k", "v" + std::to_string(i), {}}).ok);
  auto c = consumer();
  ASSERT_TRUE(c->assign({{"t", 0, 3}}));
  auto third = next_record(*c);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->offset, 3);
  EXPECT_EQ(third->value, "v3");
  auto fourth = next_record(*c);
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->value, "v4");
  auto eof = next_eof(*c);
  ASSERT_TRUE(eof);
  EXPECT_EQ(eof->topic, "t");
  EXPECT_EQ(eof->partition, 0);
  EXPECT_EQ(eof->next_offset, 5);
}

TEST_F(KafkaTest, EmptyPartitionReportsEofAtZeroAndNothingFromTheEnd) {
  ASSERT_TRUE(produce_sync({"t", 2, "k", "old", {}}).ok);
  auto c = consumer();
  ASSERT_TRUE(c->assign({{"t", 1, kOffsetBeginning}, {"t", 2, kOffsetEnd}}));
  bool seen1 = false;
  bool seen2 = false;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!(seen1 && seen2) && std::chrono::steady_clock::now() < deadline) {
    PollResult r = c->poll(200ms);
    ASSERT_FALSE(std::holds_alternative<InRecord>(r)) << "a record from the end of partition 2";
    if (auto* eof = std::get_if<PartitionEof>(&r)) {
      if (eof->partition == 1) {
        EXPECT_EQ(eof->next_offset, 0);
        seen1 = true;
      } else {
        EXPECT_EQ(eof->next_offset, 1);
        seen2 = true;
      }
    }
  }
  EXPECT_TRUE(seen1 && seen2);
  // A record produced after assigning from the end is read.
  ASSERT_TRUE(produce_sync({"t", 2, "k", "new", {}}).ok);
  auto record = next_record(*c);
  ASSERT_TRUE(record);
  EXPECT_EQ(record->value, "new");
}

TEST_F(KafkaTest, WatermarksAndPartitionCount) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(produce_sync({"t", 1, "k", "v", {}}).ok);
  auto c = consumer();
  EXPECT_EQ(c->watermarks("t", 1, 5s), std::make_pair(std::int64_t{0}, std::int64_t{3}));
  EXPECT_EQ(c->watermarks("t", 0, 5s), std::make_pair(std::int64_t{0}, std::int64_t{0}));
  EXPECT_EQ(c->partition_count("t", 5s), 4);
  EXPECT_EQ(producer_->partition_count("t", 5s), 4);
  // No assertion for unknown topics: the mock cluster creates any topic a metadata request names (4 partitions).
}

TEST_F(KafkaTest, NonExistentPartitionFailsTheDeliveryExactlyOnce) {
  std::atomic<int> calls{0};
  std::promise<DeliveryReport> done;
  producer_->produce({"t", 99, "k", "v", {}}, [&](const DeliveryReport& r) {
    if (calls.fetch_add(1) == 0) done.set_value(r);
  });
  auto future = done.get_future();
  ASSERT_EQ(future.wait_for(15s), std::future_status::ready);
  const DeliveryReport report = future.get();
  EXPECT_FALSE(report.ok);
  EXPECT_FALSE(report.error.empty());
  EXPECT_EQ(producer_->flush(5s), 0);
  producer_.reset();
  EXPECT_EQ(calls.load(), 1);
}

TEST_F(KafkaTest, FullQueueFailsAtOnceAndInline) {
  // A long linger keeps the first record queued, so the second finds the one-message queue full.
  producer_ = unwrap(
      Producer::create(brokers(), {{"queue.buffering.max.messages", "1"}, {"linger.ms", "2000"}}, 10s, "tiny-queue"));
  ASSERT_NE(producer_, nullptr);
  std::atomic<int> first_calls{0};
  producer_->produce({"t", 0, "k", "1", {}}, [&](const DeliveryReport&) { ++first_calls; });
  std::optional<DeliveryReport> second;
  const auto caller = std::this_thread::get_id();
  std::thread::id called_on;
  producer_->produce({"t", 0, "k", "2", {}}, [&](const DeliveryReport& r) {
    second = r;
    called_on = std::this_thread::get_id();
  });
  ASSERT_TRUE(second);  // reported before produce() returned
  EXPECT_FALSE(second->ok);
  EXPECT_NE(second->error.find("full"), std::string::npos) << second->error;
  EXPECT_EQ(called_on, caller);
  producer_.reset();
  EXPECT_EQ(first_calls.load(), 1);
}

TEST_F(KafkaTest, ProducerDestructorDeliversEverything) {
  std::atomic<int> delivered{0};
  {
    auto p = unwrap(Producer::create(brokers(), {{"linger.ms", "200"}}, 10s, "short-lived"));
    ASSERT_NE(p, nullptr);
    for (int i = 0; i < 50; ++i) {
      p->produce({"t", 2, "k", std::to_string(i), {}}, [&](const DeliveryReport& r) {
        if (r.ok) ++delivered;
      });
    }
  }
  EXPECT_EQ(delivered.load(), 50);
  auto c = consumer();
  EXPECT_EQ(c->watermarks("t", 2, 5s), std::make_pair(std::int64_t{0}, std::int64_t{50}));
}

TEST_F(KafkaTest, ProducerReportsConnectivity) {
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!producer_->connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(producer_->connected());

  // Port 1 on loopback: nothing listens there.
  auto lost = unwrap(Producer::create("127.0.0.1:1", {}, 1s, "nowhere"));
  ASSERT_NE(lost, nullptr);
  std::this_thread::sleep_for(2500ms);
  EXPECT_FALSE(lost->connected());
}

TEST_F(KafkaTest, ProducerNoticesTheClusterGoingAway) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!producer_->connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(producer_->connected());
  cluster_.reset();
  deadline = std::chrono::steady_clock::now() + 10s;
  while (producer_->connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(producer_->connected());
}

// librdkafka 2.0.2 can raise a fatal error (out-of-order sequence) after a disconnect; the producer must replace
// itself rather than refuse every record from then on, and no delivery callback may be lost or doubled on the way.
TEST_F(KafkaTest, ProducerReplacesItselfAfterAFatalError) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!producer_->connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(producer_->connected());
  ASSERT_TRUE(produce_sync({"t", 0, "k", "before", {}}).ok);
  EXPECT_EQ(producer_->fatal_errors(), 0u);
  EXPECT_FALSE(producer_->recovering());

  // Records held back by a broker that is down, so that the fatal error finds them undelivered; the broker stays
  // down so that the replacement cannot reach the cluster yet.
  constexpr int kHeld = 20;
  struct Calls {
    std::array<std::atomic<int>, kHeld> count{};
    std::atomic<int> ok{0};
  };
  auto calls = std::make_shared<Calls>();
  cluster_->set_broker_down(1);
  for (int i = 0; i < kHeld; ++i) {
    producer_->produce({"t", 1, "k", "held " + std::to_string(i), {}}, [calls, i](const DeliveryReport& r) {
      ++calls->count[static_cast<std::size_t>(i)];
      if (r.ok) ++calls->ok;
    });
  }
  producer_->inject_fatal_error_for_test("unit test");
  EXPECT_TRUE(producer_->recovering());  // at once, not only when the replacement starts
  EXPECT_FALSE(producer_->connected());

  // Every held record fails (purged with the old producer), well before its 10 s delivery timeout.
  EXPECT_EQ(producer_->flush(5s), 0);
  for (int i = 0; i < kHeld; ++i) EXPECT_EQ(calls->count[static_cast<std::size_t>(i)].load(), 1) << i;
  EXPECT_EQ(calls->ok.load(), 0);
  deadline = std::chrono::steady_clock::now() + 5s;
  while (producer_->fatal_errors() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(producer_->fatal_errors(), 1u);
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(producer_->recovering()) << "the replacement cannot have reached a broker that is down";

  cluster_->set_broker_up(1);
  deadline = std::chrono::steady_clock::now() + 15s;
  while (producer_->recovering() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  EXPECT_FALSE(producer_->recovering());
  EXPECT_TRUE(producer_->connected());
  EXPECT_EQ(producer_->fatal_errors(), 1u);
  const DeliveryReport after = produce_sync({"t", 0, "k", "after", {}});
  ASSERT_TRUE(after.ok) << after.error;
  EXPECT_EQ(after.offset, 1);

  // A second fatal error is recovered from the same way (the broker is up: at once).
  producer_->inject_fatal_error_for_test("unit test, again");
  deadline = std::chrono::steady_clock::now() + 15s;
  while ((producer_->fatal_errors() < 2 || producer_->recovering()) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_EQ(producer_->fatal_errors(), 2u);
  EXPECT_FALSE(producer_->recovering());
  EXPECT_TRUE(produce_sync({"t", 0, "k", "again", {}}).ok);

  producer_.reset();
  for (int i = 0; i < kHeld; ++i) EXPECT_EQ(calls->count[static_cast<std::size_t>(i)].load(), 1) << i;
}

// Records produced around the swap: each is reported exactly once, delivered or failed, and none is lost.
TEST_F(KafkaTest, EveryCallbackRunsOnceAcrossAFatalError) {
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (!producer_->connected() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  ASSERT_TRUE(producer_->connected());
  constexpr int kRecords = 2000;
  auto counts = std::make_shared<std::array<std::atomic<int>, kRecords>>();
  std::atomic<int> delivered{0};
  std::thread producing([&] {
    for (int i = 0; i < kRecords; ++i) {
      producer_->produce({"t", 3, "k", std::to_string(i), {}}, [counts, &delivered, i](const DeliveryReport& r) {
        ++(*counts)[static_cast<std::size_t>(i)];
        if (r.ok) ++delivered;
      });
      if (i % 100 == 0) std::this_thread::sleep_for(1ms);
    }
  });
  std::this_thread::sleep_for(5ms);
  producer_->inject_fatal_error_for_test("unit test, under load");
  producing.join();
  EXPECT_EQ(producer_->flush(10s), 0);
  for (int i = 0; i < kRecords; ++i) ASSERT_EQ((*counts)[static_cast<std::size_t>(i)].load(), 1) << i;
  deadline = std::chrono::steady_clock::now() + 15s;
  while (producer_->recovering() && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(50ms);
  EXPECT_EQ(producer_->fatal_errors(), 1u);
  EXPECT_FALSE(producer_->recovering());
  // Whatever was reported delivered is in the partition (the broker has at least that many).
  auto c = consumer();
  const auto marks = c->watermarks("t", 3, 5s);
  ASSERT_TRUE(marks);
  EXPECT_GE(marks->second, delivered.load());
}

TEST_F(KafkaTest, CommitIsVisibleToTheGroup) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(produce_sync({"t", 1, "k", "v", {}}).ok);
  {
    auto c = consumer("lag-group");
    ASSERT_TRUE(c->assign({{"t", 1, kOffsetBeginning}}));
    ASSERT_TRUE(next_record(*c));
    c->commit("t", 1, 2);
    c->close();  // waits for the outstanding commit
    c->close();  // idempotent
    EXPECT_TRUE(std::holds_alternative<PollError>(c->poll(10ms)));
  }
  std::optional<std::int64_t> offset;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((offset = committed("lag-group", 1)) != 2 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(offset, 2);
}

TEST_F(KafkaTest, StoredOffsetResumesWhereTheGroupCommitted) {
  for (const char* value : {"a", "b", "c"}) ASSERT_TRUE(produce_sync({"t", 2, "k", value, {}}).ok);
  {
    auto c = consumer("resume-group");
    ASSERT_TRUE(c->assign({{"t", 2, kOffsetStored}}));  // nothing committed yet: from the beginning
    auto first = next_record(*c);
    ASSERT_TRUE(first);
    EXPECT_EQ(first->value, "a");
    c->commit("t", 2, first->offset + 1);
    c->close();
  }
  auto c = consumer("resume-group");
  ASSERT_TRUE(c->assign({{"t", 2, kOffsetStored}}));
  auto next = next_record(*c);
  ASSERT_TRUE(next);
  EXPECT_EQ(next->value, "b");
}

TEST_F(KafkaTest, CallerCannotTurnOnAutomaticCommits) {
  ASSERT_TRUE(produce_sync({"t", 3, "k", "v", {}}).ok);
  auto c = unwrap(Consumer::create(
      brokers(), "auto-group",
      {{"enable.auto.commit", "true"}, {"enable.auto.offset.store", "true"}, {"auto.commit.interval.ms", "50"}},
      "auto-committer"));
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->assign({{"t", 3, kOffsetBeginning}}));
  ASSERT_TRUE(next_record(*c));
  std::this_thread::sleep_for(300ms);
  c->close();  // an automatic committer commits what it stored here at the latest
  EXPECT_EQ(committed("auto-group", 3), RdKafka::Topic::OFFSET_INVALID);
}

TEST_F(KafkaTest, ConsumerWithoutGroupReadsAndIgnoresCommits) {
  ASSERT_TRUE(produce_sync({"t", 0, "k", "v", {}}).ok);
  auto c = consumer("");
  ASSERT_TRUE(c->assign({{"t", 0, kOffsetBeginning}}));
  ASSERT_TRUE(next_record(*c));
  c->commit("t", 0, 1);  // no group of its own to commit to: a no-op, not an error
  EXPECT_TRUE(c->assign({}));
}

TEST(KafkaConfigTest, UnknownPropertyIsNamedInTheError) {
  auto producer = Producer::create("127.0.0.1:1", {{"no.such.property", "1"}}, 1s, "p");
  ASSERT_FALSE(producer);
  EXPECT_NE(producer.error().message.find("no.such.property"), std::string::npos);
  auto consumer = Consumer::create("127.0.0.1:1", "g", {{"enable.auto.commit", "maybe"}}, "c");
  ASSERT_FALSE(consumer);
  EXPECT_NE(consumer.error().message.find("enable.auto.commit"), std::string::npos);
}

TEST(KafkaMockClusterTest, ServesSeveralBrokersAndRejectsDuplicateTopics) {
  auto cluster = unwrap(MockCluster::create(3));
  ASSERT_NE(cluster, nullptr);
  const std::string servers = cluster->bootstrap_servers();
  EXPECT_EQ(std::count(servers.begin(), servers.end(), ','), 2) << servers;
  EXPECT_TRUE(cluster->create_topic("dup", 2));
  EXPECT_FALSE(cluster->create_topic("dup", 2));
}

}  // namespace
}  // namespace invite::kafka
