// The worker's partition files with BackgroundCheckpoints: the WAL is copied into the file by the checkpointer's
// thread, not by commits; it stays bounded; a reader pinning it never holds up the writer; closing joins the thread;
// nothing committed is lost, neither after closing nor after a SIGKILL.
#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <thread>

#include "invite/common/metrics.hpp"
#include "invite/store/partition_store.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using invite::common::Histogram;
using invite::store::BackgroundCheckpoints;
using invite::store::PartitionStore;
using invite::store::RequestCommit;
using invite::testing::TempDir;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t kPageSize = 4096;   // SQLite's default, which the files keep
constexpr std::int64_t kFrameHeader = 24;  // each WAL frame is a header and one page
constexpr std::int64_t kWalHeader = 32;
constexpr int kCommitsPerGroup = 4;

// A request whose outbox rows fill about three pages, so that the WAL grows quickly.
RequestCommit bulky_request(int n) {
  RequestCommit c;
  c.request_id = "req-" + std::to_string(n);
  c.portal = "p.example.com";
  for (int i = 0; i < 3; ++i) {
    invite::common::Message m;
    m.topic = "invite.emails.v1";
    m.key = c.request_id;
    m.value = std::string(3500, static_cast<char>('a' + (n + i) % 26));
    c.outbox.push_back(std::move(m));
  }
  c.next_offset = n + 1;
  return c;
}

// One group of kCommitsPerGroup requests, as the worker's loop commits them. Returns the next request number.
int write_group(PartitionStore& store, int first) {
  store.begin_group();
  for (int n = first; n < first + kCommitsPerGroup; ++n) store.apply(bulky_request(n));
  store.commit_group();
  return first + kCommitsPerGroup;
}

fs::path wal_of(const fs::path& file) { return file.string() + "-wal"; }

// The most frames the WAL has held since the file was opened: a WAL that starts over is overwritten from its
// beginning and keeps its size, so the file's size is its high-water mark.
std::int64_t wal_high_water_frames(const fs::path& file) {
  std::error_code ec;
  const auto size = static_cast<std::int64_t>(fs::file_size(wal_of(file), ec));
  if (ec || size < kWalHeader) return 0;
  return (size - kWalHeader) / (kPageSize + kFrameHeader);
}

std::int64_t count_of(const Histogram& h) { return static_cast<std::int64_t>(h.snapshot().count); }

bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout = 10s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// Everything requests [0, requests) wrote is in the file, read by a store opened afresh.
void expect_all_requests(const fs::path& file, int requests) {
  auto reopened = PartitionStore::open(file);
  ASSERT_TRUE(reopened) << reopened.error().message;
  auto& store = **reopened;
  EXPECT_EQ(store.stored_offset(), requests);
  for (int n = 0; n < requests; ++n) ASSERT_TRUE(store.request_applied("req-" + std::to_string(n))) << n;
  EXPECT_EQ(store.unsent_count(), 3 * requests);
  const auto rows = store.unsent(static_cast<std::size_t>(3 * requests));
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(3 * requests));
  EXPECT_EQ(rows.back().value, bulky_request(requests - 1).outbox.back().value);
}

class BackgroundCheckpointsTest : public ::testing::Test {
 protected:
  std::unique_ptr<PartitionStore> open(int wal_pages) {
    BackgroundCheckpoints settings;
    settings.wal_pages = wal_pages;
    settings.checkpointer_seconds = &checkpointer_;
    settings.writer_seconds = &writer_;
    auto opened = PartitionStore::open(file_, settings);
    if (!opened) {
      ADD_FAILURE() << opened.error().message;
      return nullptr;
    }
    return std::move(*opened);
  }

  TempDir dir_;
  fs::path file_ = dir_.path() / "partition-0.sqlite";
  Histogram checkpointer_{invite::common::default_latency_buckets()};
  Histogram writer_{invite::common::default_latency_buckets()};
};

}  // namespace

TEST_F(BackgroundCheckpointsTest, CommitsNeverCheckpointTheWal) {
  auto store = open(/*wal_pages=*/1000000);  // never reached: only commits could copy the WAL now
  ASSERT_NE(store, nullptr);
  int next = 0;
  while (wal_high_water_frames(file_) < 1500) next = write_group(*store, next);  // past SQLite's default of 1000

  // The data is in the WAL only: the database file holds the schema the migrations wrote (which the checkpointer's
  // first run copied) and none of the pages written since. The writer's thread copied nothing either.
  SQLite::Database reader(file_, SQLite::OPEN_READONLY);
  EXPECT_GT(reader.execAndGet("PRAGMA page_count").getInt64(), 500);
  EXPECT_LT(static_cast<std::int64_t>(fs::file_size(file_)) / kPageSize, 100);
  EXPECT_EQ(count_of(writer_), 0);
}

// The hard limit is four times wal_pages; the WAL ends at most the group that crossed it past that.
std::int64_t hard_bound(int wal_pages) { return 4 * wal_pages + 40; }

TEST_F(BackgroundCheckpointsTest, TheCheckpointerCopiesTheWalAndItStartsOver) {
  constexpr int kWalPages = 256;  // an eighth of it (the writer's share) is more than one group's pages
  auto store = open(kWalPages);
  ASSERT_NE(store, nullptr);
  int next = 0;
  for (int i = 0; i < 400; ++i) next = write_group(*store, next);

  // The checkpointer ran, and the WAL started over again and again instead of growing with the data: its high-water
  // mark stays bounded (near wal_pages when the machine keeps up), far below the pages written.
  EXPECT_GE(count_of(checkpointer_), 2);
  EXPECT_LE(wal_high_water_frames(file_), hard_bound(kWalPages));
  {
    SQLite::Database reader(file_, SQLite::OPEN_READONLY);
    EXPECT_GT(reader.execAndGet("PRAGMA page_count").getInt64(), 12 * kWalPages);
  }
  store.reset();
  expect_all_requests(file_, next);
}

TEST_F(BackgroundCheckpointsTest, PastTheHardLimitTheWriterCopiesTheRest) {
  // Every group adds more than an eighth of wal_pages, so the checkpointer never leaves little enough for the
  // writer's share, as when it falls behind: the WAL grows to the hard limit, where the writer copies what is left.
  constexpr int kWalPages = 128;
  auto store = open(kWalPages);
  ASSERT_NE(store, nullptr);
  int next = 0;
  for (int i = 0; i < 300; ++i) next = write_group(*store, next);

  EXPECT_GE(count_of(writer_), 1);
  EXPECT_LE(wal_high_water_frames(file_), hard_bound(kWalPages));
  {
    SQLite::Database reader(file_, SQLite::OPEN_READONLY);
    EXPECT_GT(reader.execAndGet("PRAGMA page_count").getInt64(), 20 * kWalPages);
  }
  store.reset();
  expect_all_requests(file_, next);
}

TEST_F(BackgroundCheckpointsTest, AReaderPinningTheWalNeverHoldsUpTheWriter) {
  constexpr int kWalPages = 64;
  auto store = open(kWalPages);
  ASSERT_NE(store, nullptr);
  int next = write_group(*store, 0);

  // An operator's long read: no checkpoint may copy what it might still read, nor may the WAL start over under it.
  SQLite::Database reader(file_, SQLite::OPEN_READONLY);
  reader.exec("BEGIN");
  EXPECT_EQ(reader.execAndGet("SELECT COUNT(*) FROM outbox").getInt(), 3 * kCommitsPerGroup);

  auto slowest = std::chrono::steady_clock::duration::zero();
  while (wal_high_water_frames(file_) < 16 * kWalPages) {
    const auto started = std::chrono::steady_clock::now();
    next = write_group(*store, next);
    slowest = std::max(slowest, std::chrono::steady_clock::now() - started);
  }
  // Past the hard limit the writer only tried a checkpoint before each group (nothing could be copied); it never
  // waited for the reader (a wait would run into the 5 s busy timeout and throw).
  EXPECT_LT(slowest, 2s);
  EXPECT_EQ(reader.execAndGet("SELECT COUNT(*) FROM outbox").getInt(), 3 * kCommitsPerGroup) << "its snapshot held";
  reader.exec("COMMIT");

  // Once the reader is gone the backlog is copied and the WAL starts over: it then holds only what came after.
  const auto pinned_frames = wal_high_water_frames(file_);
  for (int i = 0; i < 20; ++i) next = write_group(*store, next);
  SQLite::Database observer(file_, SQLite::OPEN_READWRITE);
  observer.exec("SELECT COUNT(*) FROM outbox");  // opens the WAL on this connection
  // (busy, frames in the WAL, frames copied); it copies what is left, which changes nothing looked at here.
  SQLite::Statement wal(observer, "PRAGMA wal_checkpoint(PASSIVE)");
  ASSERT_TRUE(wal.executeStep());
  EXPECT_LT(wal.getColumn(1).getInt64(), pinned_frames / 2);
  wal.reset();
  store.reset();
  expect_all_requests(file_, next);
}

TEST_F(BackgroundCheckpointsTest, ClosingJoinsTheCheckpointerAndKeepsEveryCommit) {
  auto store = open(/*wal_pages=*/32);
  ASSERT_NE(store, nullptr);
  int next = 0;
  for (int i = 0; i < 60; ++i) next = write_group(*store, next);
  // Closed while the checkpointer is likely copying: its checkpoint finishes, the thread is joined, and the last
  // connection's close copies the rest and removes the WAL.
  const auto started = std::chrono::steady_clock::now();
  store.reset();
  EXPECT_LT(std::chrono::steady_clock::now() - started, 5s);
  EXPECT_FALSE(fs::exists(wal_of(file_)));
  expect_all_requests(file_, next);
}

TEST_F(BackgroundCheckpointsTest, ASigkilledWriterLosesNothingAndTheNextOpenCopiesTheWal) {
  constexpr int kGroups = 30;
  // The child writes and is SIGKILLed with part of its WAL not copied (wal_pages far above what it writes).
  const pid_t child = fork();
  ASSERT_NE(child, -1);
  if (child == 0) {
    BackgroundCheckpoints settings;
    settings.wal_pages = 1000000;
    auto opened = PartitionStore::open(file_, settings);
    if (!opened) _exit(3);
    int next = 0;
    for (int i = 0; i < kGroups; ++i) next = write_group(**opened, next);
    kill(getpid(), SIGKILL);
    _exit(4);  // not reached
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  ASSERT_GT(wal_high_water_frames(file_), 0) << "the killed process left its WAL";

  // SQLite's recovery reads the WAL; the new checkpointer's first run copies what the killed process left.
  auto store = open(/*wal_pages=*/1000000);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(eventually([&] { return count_of(checkpointer_) >= 1; }));
  store.reset();
  expect_all_requests(file_, kGroups * kCommitsPerGroup);
}
