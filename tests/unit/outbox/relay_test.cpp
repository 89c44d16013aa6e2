// The outbox relay: every row reaches Kafka and is marked sent, however many a request wrote. Driven here over a
// worker's partition file, the outbox with group commit and rows published from memory.
#include "invite/outbox/relay.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "invite/store/partition_store.hpp"
#include "support/temp_dir.hpp"

namespace invite::outbox {
namespace {

namespace fs = std::filesystem;

using invite::testing::TempDir;

// Holds delivery callbacks until the test acknowledges (or fails) them, as the broker would, later.
class FakeProducer final : public kafka::Producer {
 public:
  struct Sent {
    kafka::OutRecord record;
    std::function<void(const kafka::DeliveryReport&)> on_delivery;
  };
  void produce(kafka::OutRecord record, std::function<void(const kafka::DeliveryReport&)> on_delivery) override {
    produced.push_back(record);
    waiting.push_back({std::move(record), std::move(on_delivery)});
  }
  std::size_t queued() const override { return waiting.size(); }
  bool connected() const override { return true; }
  int flush(std::chrono::milliseconds) override { return static_cast<int>(waiting.size()); }
  std::optional<std::int32_t> partition_count(const std::string&, std::chrono::milliseconds) override { return 1; }

  // Reports every waiting delivery; returns how many.
  std::size_t deliver_all(bool ok) {
    auto batch = std::move(waiting);
    waiting.clear();
    for (auto& sent : batch) {
      kafka::DeliveryReport report;
      report.ok = ok;
      if (!ok) report.error = "Local: Message timed out";
      sent.on_delivery(report);
    }
    return batch.size();
  }

  std::vector<kafka::OutRecord> produced;
  std::vector<Sent> waiting;
};

std::unique_ptr<store::PartitionStore> open_store(const fs::path& dir) {
  auto opened = store::PartitionStore::open(store::PartitionStore::file_for(dir, 0));
  if (!opened) {
    ADD_FAILURE() << opened.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

// Writes n rows named <prefix>-0.. and returns them with the ids the store gave them, as the worker holds them.
std::vector<Row> write_rows(store::PartitionStore& store, int n, std::int64_t next_offset,
                            const std::string& prefix = "row") {
  store::RequestCommit commit;
  for (int i = 0; i < n; ++i) {
    commit.outbox.push_back({"invite.emails.v1", std::nullopt, "localhost", prefix + "-" + std::to_string(i), {}});
  }
  commit.next_offset = next_offset;
  const auto ids = store.apply(commit);
  EXPECT_EQ(ids.size(), commit.outbox.size());
  std::vector<Row> rows;
  for (std::size_t i = 0; i < ids.size(); ++i) rows.push_back({commit.outbox[i], ids[i]});
  return rows;
}

class OutboxRelayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = open_store(dir_.path());
    ASSERT_NE(store_, nullptr);
    relay_ = std::make_unique<Relay>(producer_, *store_, RelaySettings{1000, "outbox", &published_, &failed_});
  }

  // Runs the worker's cycle (deliver, drain, pump failed partitions) until nothing is left in flight.
  void settle(int max_rounds = 20) {
    for (int round = 0; round < max_rounds && !producer_.waiting.empty(); ++round) {
      producer_.deliver_all(true);
      if (relay_->drain()) relay_->pump();
    }
  }

  TempDir dir_;
  std::unique_ptr<store::PartitionStore> store_;
  FakeProducer producer_;
  common::Counter published_;
  common::Counter failed_;
  std::unique_ptr<Relay> relay_;
};

TEST_F(OutboxRelayTest, PublishesAndMarksRowsSent) {
  write_rows(*store_, 3, 1);
  relay_->pump();
  ASSERT_EQ(producer_.produced.size(), 3u);
  EXPECT_EQ(producer_.produced[0].value, "row-0");
  EXPECT_EQ(producer_.produced[0].key, "localhost");
  EXPECT_EQ(relay_->in_flight(), 3u);
  EXPECT_EQ(store_->unsent_count(), 3) << "not sent until acknowledged";

  relay_->pump();
  EXPECT_EQ(producer_.produced.size(), 3u) << "rows on their way are not published twice";

  producer_.deliver_all(true);
  EXPECT_FALSE(relay_->drain()) << "no delivery failed";
  EXPECT_EQ(store_->unsent_count(), 0);
  EXPECT_EQ(relay_->in_flight(), 0u);
  EXPECT_EQ(published_.value(), 3);
}

TEST_F(OutboxRelayTest, FailedDeliveryIsRetried) {
  write_rows(*store_, 2, 1);
  relay_->pump();
  producer_.deliver_all(false);
  EXPECT_TRUE(relay_->drain()) << "a delivery failed";
  EXPECT_EQ(failed_.value(), 2);
  EXPECT_EQ(store_->unsent_count(), 2);
  relay_->pump();
  EXPECT_EQ(producer_.produced.size(), 4u);
  settle();
  EXPECT_EQ(store_->unsent_count(), 0);
}

TEST_F(OutboxRelayTest, OnlyTheFailedRowAndNewRowsArePublishedAgain) {
  write_rows(*store_, 3, 1);
  relay_->pump();
  ASSERT_EQ(producer_.waiting.size(), 3u);
  // row-0 and row-2 arrive, row-1 times out.
  auto batch = std::move(producer_.waiting);
  producer_.waiting.clear();
  for (std::size_t i = 0; i < batch.size(); ++i) {
    kafka::DeliveryReport report;
    report.ok = i != 1;
    batch[i].on_delivery(report);
  }
  EXPECT_TRUE(relay_->drain()) << "a delivery failed";
  write_rows(*store_, 1, 2);  // a later request's row

  producer_.produced.clear();
  relay_->pump();
  ASSERT_EQ(producer_.produced.size(), 2u);
  EXPECT_EQ(producer_.produced[0].value, "row-1");
  EXPECT_EQ(producer_.produced[1].value, "row-0");  // the new request's first row
  settle();
  EXPECT_EQ(store_->unsent_count(), 0);
}

TEST_F(OutboxRelayTest, LargeOutboxIsPublishedWithoutFurtherTraffic) {
  // One request of 1000 new users writes 2001 rows (reply, e-mail job and event per user). They must all go out
  // even if no other request ever arrives to make the partition dirty again.
  write_rows(*store_, 2001, 1);
  relay_->pump();
  settle();
  EXPECT_EQ(store_->unsent_count(), 0);
  EXPECT_EQ(producer_.produced.size(), 2001u);
}

TEST_F(OutboxRelayTest, CommittedRowsGoOutFromMemoryWhenNothingIsLeftBehind) {
  relay_->pump();  // as the worker starts: nothing unsent
  const auto first = write_rows(*store_, 2, 1, "a");
  relay_->publish_committed(first);
  const auto second = write_rows(*store_, 2, 2, "b");
  relay_->publish_committed(second);
  ASSERT_EQ(producer_.produced.size(), 4u);
  EXPECT_EQ(producer_.produced[0].value, "a-0");
  EXPECT_EQ(producer_.produced[3].value, "b-1");
  settle();
  EXPECT_EQ(store_->unsent_count(), 0);
  EXPECT_EQ(producer_.produced.size(), 4u) << "each row exactly once";
}

TEST_F(OutboxRelayTest, CommittedRowsWaitBehindRowsTheStoreStillHolds) {
  // A previous run left a row unsent; the relay has not read it yet.
  write_rows(*store_, 1, 1, "old");
  const auto fresh = write_rows(*store_, 2, 2, "new");
  relay_->publish_committed(fresh);
  ASSERT_EQ(producer_.produced.size(), 3u);
  EXPECT_EQ(producer_.produced[0].value, "old-0") << "in the store's order";
  EXPECT_EQ(producer_.produced[1].value, "new-0");
  settle();
  EXPECT_EQ(store_->unsent_count(), 0);
}

TEST_F(OutboxRelayTest, CommittedRowsAfterAFailedDeliveryBringTheFailedRowAlong) {
  relay_->pump();
  relay_->publish_committed(write_rows(*store_, 2, 1, "a"));
  producer_.deliver_all(false);
  EXPECT_TRUE(relay_->drain()) << "a delivery failed";
  producer_.produced.clear();
  relay_->publish_committed(write_rows(*store_, 1, 2, "b"));
  ASSERT_EQ(producer_.produced.size(), 3u);
  EXPECT_EQ(producer_.produced[0].value, "a-0");
  EXPECT_EQ(producer_.produced[2].value, "b-0");
  settle();
  EXPECT_EQ(store_->unsent_count(), 0);
}

}  // namespace
}  // namespace invite::outbox
