#include "invite/store/mailer_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <limits>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using invite::store::AttemptRecord;
using invite::store::JobState;
using invite::store::MailerStore;
using invite::store::MailJob;
using invite::testing::TempDir;

namespace {

MailJob job(std::string id, std::string domain, std::int64_t due_ms, std::int32_t partition = 0,
            std::int64_t offset = 0) {
  MailJob j;
  j.event_id = std::move(id);
  j.partition = partition;
  j.offset = offset;
  j.value = R"({"eventId":")" + j.event_id + "\"}";
  j.headers = {{"correlation-id", "r-" + j.event_id}};
  j.domain = std::move(domain);
  j.next_attempt_ms = due_ms;
  return j;
}

AttemptRecord attempt(JobState state, int attempts, std::int64_t next_ms, std::string value) {
  AttemptRecord r;
  r.state = state;
  r.attempts = attempts;
  r.next_attempt_ms = next_ms;
  r.reason = state == JobState::Sent ? "" : "421 try later";
  r.status.topic = "invite.email-status.v1";
  r.status.key = "portal";
  r.status.value = std::move(value);
  r.status.headers = {{"correlation-id", "r"}};
  return r;
}

std::vector<std::string> ids(const std::vector<MailJob>& jobs) {
  std::vector<std::string> out;
  for (const auto& j : jobs) out.push_back(j.event_id);
  return out;
}

class MailerStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_.path() / "mailer" / "mailer.sqlite";
    auto opened = MailerStore::open(file_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
  }
  TempDir dir_;
  fs::path file_;
  std::unique_ptr<MailerStore> store_;
};

}  // namespace

TEST_F(MailerStoreTest, NewFileIsMigratedInWalMode) {
  store_.reset();
  SQLite::Database db(file_, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), MailerStore::schema_version());
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
}

TEST_F(MailerStoreTest, AJobIsAcceptedOnceWhateverItsRecord) {
  EXPECT_TRUE(store_->accept(job("a", "x.example", 100, 0, 5)));
  // The same eventId again, even from another offset (a duplicated record): refused, the first stays as it was.
  EXPECT_FALSE(store_->accept(job("a", "y.example", 0, 1, 9)));
  const auto due = store_->due(1000, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].domain, "x.example");
  EXPECT_EQ(due[0].offset, 5);
  EXPECT_EQ(due[0].headers, (std::vector<std::pair<std::string, std::string>>{{"correlation-id", "r-a"}}));
  EXPECT_EQ(store_->state("a"), JobState::Pending);
  EXPECT_EQ(store_->state("b"), std::nullopt);
}

TEST_F(MailerStoreTest, DueListsTheEarliestJobOfEachDomainOnly) {
  ASSERT_TRUE(store_->accept(job("x1", "x.example", 10)));
  ASSERT_TRUE(store_->accept(job("x2", "x.example", 20)));
  ASSERT_TRUE(store_->accept(job("y1", "y.example", 15)));
  ASSERT_TRUE(store_->accept(job("z1", "z.example", 500)));  // not due yet
  EXPECT_EQ(ids(store_->due(100, 10)), (std::vector<std::string>{"x1", "y1"}));
  EXPECT_EQ(ids(store_->due(100, 1)), (std::vector<std::string>{"x1"}));
  EXPECT_EQ(store_->next_due_ms(), 10);
  store_->record_attempt("x1", attempt(JobState::Sent, 1, 0, "{}"));
  EXPECT_EQ(ids(store_->due(100, 10)), (std::vector<std::string>{"y1", "x2"}));
  EXPECT_EQ(store_->next_due_ms(), 15);
}

TEST_F(MailerStoreTest, AttemptsMoveTheScheduleAndQueueTheirStatusEvents) {
  ASSERT_TRUE(store_->accept(job("a", "x.example", 10)));
  store_->record_attempt("a", attempt(JobState::Pending, 1, 5000, R"({"status":"retrying"})"));
  EXPECT_TRUE(store_->due(4999, 10).empty());
  const auto due = store_->due(5000, 10);
  ASSERT_EQ(due.size(), 1u);
  EXPECT_EQ(due[0].attempts, 1);
  store_->record_attempt("a", attempt(JobState::Failed, 2, 0, R"({"status":"failed"})"));
  EXPECT_EQ(store_->state("a"), JobState::Failed);
  EXPECT_TRUE(store_->due(1'000'000, 10).empty());
  EXPECT_EQ(store_->next_due_ms(), std::nullopt);

  const auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].value, R"({"status":"retrying"})");
  EXPECT_EQ(rows[1].value, R"({"status":"failed"})");
  EXPECT_EQ(rows[0].topic, "invite.email-status.v1");
  EXPECT_EQ(rows[0].key, "portal");
  EXPECT_EQ(store_->unsent(10, rows[0].id).size(), 1u);
  store_->mark_sent({rows[0].id});
  ASSERT_EQ(store_->unsent(10).size(), 1u);
  EXPECT_EQ(store_->unsent(10)[0].id, rows[1].id);
}

TEST_F(MailerStoreTest, RecordingForAnUnknownJobStoresNothing) {
  EXPECT_THROW(store_->record_attempt("ghost", attempt(JobState::Sent, 1, 0, "{}")), std::runtime_error);
  EXPECT_TRUE(store_->unsent(10).empty());
}

TEST_F(MailerStoreTest, FirstPendingOffsetIsPerPartitionAndIgnoresDecidedJobs) {
  ASSERT_TRUE(store_->accept(job("a", "x.example", 0, 0, 3)));
  ASSERT_TRUE(store_->accept(job("b", "x.example", 0, 0, 7)));
  ASSERT_TRUE(store_->accept(job("c", "x.example", 0, 1, 2)));
  EXPECT_EQ(store_->first_pending_offset(0), 3);
  EXPECT_EQ(store_->first_pending_offset(1), 2);
  EXPECT_EQ(store_->first_pending_offset(2), std::nullopt);
  EXPECT_EQ(store_->pending_count(), 3);
  store_->record_attempt("a", attempt(JobState::Sent, 1, 0, "{}"));
  EXPECT_EQ(store_->first_pending_offset(0), 7);
  EXPECT_EQ(store_->pending_count(), 2);
}

TEST_F(MailerStoreTest, PruneKeepsPendingJobsAndUnpublishedEvents) {
  ASSERT_TRUE(store_->accept(job("sent", "x.example", 0)));
  ASSERT_TRUE(store_->accept(job("pending", "x.example", 0)));
  store_->record_attempt("sent", attempt(JobState::Sent, 1, 0, "{}"));
  store_->record_attempt("pending", attempt(JobState::Pending, 1, 10, "{}"));
  const auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 2u);
  store_->mark_sent({rows[0].id});
  const auto future = std::numeric_limits<std::int64_t>::max();
  EXPECT_EQ(store_->prune(future), 2);  // the sent job and its published event
  EXPECT_EQ(store_->state("sent"), std::nullopt);
  EXPECT_EQ(store_->state("pending"), JobState::Pending);
  EXPECT_EQ(store_->unsent(10).size(), 1u);
  // Gone from the log, a job could be taken again: retention must outlast any redelivery (see the mailer).
  EXPECT_TRUE(store_->accept(job("sent", "x.example", 0)));
}

TEST_F(MailerStoreTest, ReopenKeepsEverything) {
  ASSERT_TRUE(store_->accept(job("a", "x.example", 10)));
  store_.reset();
  auto opened = MailerStore::open(file_);
  ASSERT_TRUE(opened.has_value());
  auto& store = *opened;
  EXPECT_FALSE(store->accept(job("a", "x.example", 10)));
  EXPECT_EQ(store->state("a"), JobState::Pending);
}
