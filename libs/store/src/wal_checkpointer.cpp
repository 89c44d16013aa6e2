#include "wal_checkpointer.hpp"

#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

#include "invite/common/metrics.hpp"

namespace invite::store::detail {

WalCheckpointer::WalCheckpointer(SQLite::Database& writer, const std::filesystem::path& file,
                                 const BackgroundCheckpoints& settings)
    : writer_(writer),
      own_(file, SQLite::OPEN_READWRITE, /*busy timeout ms=*/5000),
      wal_pages_(std::max(settings.wal_pages, 1)),
      hard_limit_(std::int64_t{4} * wal_pages_),
      checkpointer_seconds_(settings.checkpointer_seconds),
      writer_seconds_(settings.writer_seconds) {
  // Setting the mode (the file is in WAL mode already) makes this connection open the WAL: until it has, a
  // checkpoint through it copies nothing.
  const std::string mode = own_.execAndGet("PRAGMA journal_mode = WAL").getString();
  if (mode != "wal")
    throw std::runtime_error(file.string() + ": checkpointer connection not in WAL mode ('" + mode + "')");
  // The checkpoint syncs the WAL before copying it and the database file before the WAL may be overwritten; OFF
  // would skip both.
  own_.exec("PRAGMA synchronous = FULL");
  writer_.exec("PRAGMA wal_autocheckpoint = 0");
  thread_ = std::thread([this] { run(); });
  pthread_setname_np(thread_.native_handle(), "wal-checkpoint");  // names it in top and perf
  // Last, since it cannot fail: replaces what wal_autocheckpoint installed, so commits only report their length.
  sqlite3_wal_hook(writer_.getHandle(), &WalCheckpointer::on_commit, this);
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_hook(writer_.getHandle(), nullptr, nullptr);
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_up_.notify_one();
  thread_.join();
}

int WalCheckpointer::on_commit(void* self, sqlite3* /*db*/, const char* /*schema*/, int frames) {
  static_cast<WalCheckpointer*>(self)->committed(frames);
  return SQLITE_OK;
}

void WalCheckpointer::committed(int frames) {
  bool wake = false;
  {
    std::lock_guard lock(mutex_);
    // The WAL started over with this commit: none of it is copied. (One whose first commit is longer than the old
    // WAL goes unnoticed; the error is that old length, which the next checkpoint's figures correct.)
    if (frames < frames_) {
      ++generation_;
      backfilled_ = 0;
      copying_to_ = 0;
    }
    frames_ = frames;
    if (!wake_ && checkpointers_share()) wake = wake_ = true;
  }
  if (wake) wake_up_.notify_one();
}

// Who copies what (the header explains why): below wal_pages nobody; up to the hard limit the checkpointer while more
// than an eighth of wal_pages is left, the writer the rest; past the hard limit the writer, all of it. The shares
// never overlap, so the writer rarely finds the checkpointer busy when its turn comes.
bool WalCheckpointer::checkpointers_share() const {
  return frames_ >= wal_pages_ && frames_ < hard_limit_ && pending() > wal_pages_ / 8;
}

void WalCheckpointer::before_write() {
  {
    std::unique_lock lock(mutex_);
    if (frames_ < wal_pages_ || pending() == 0 || checkpointers_share()) return;
    // Past the hard limit the checkpointer has fallen behind (or a reader pins the WAL, and then its runs are short):
    // the writer waits for the run under way, which starts no other, so that its own is not turned away as busy.
    if (frames_ >= hard_limit_) idle_.wait(lock, [this] { return !running_; });
  }
  checkpoint(writer_.getHandle(), writer_seconds_);
}

void WalCheckpointer::run() {
  std::unique_lock lock(mutex_);
  bool first = true;  // copies what an earlier process left in the WAL, and learns its length
  for (;;) {
    wake_up_.wait(lock, [this] { return wake_ || stop_; });
    if (stop_) return;
    wake_ = false;
    // Woken for work the writer may have done since, or that is the writer's now.
    if (!first && !checkpointers_share()) continue;
    first = false;
    running_ = true;
    copying_to_ = frames_;
    lock.unlock();
    // A failure (another checkpoint running, an I/O error) is tried again at the next commit's wake-up; a real I/O
    // problem surfaces in the writer's own commits, which stop the worker.
    checkpoint(own_.getHandle(), checkpointer_seconds_);
    lock.lock();
    running_ = false;
    copying_to_ = 0;
    idle_.notify_all();
  }
}

void WalCheckpointer::checkpoint(sqlite3* db, common::Histogram* seconds) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = generation_;
  }
  const auto started = std::chrono::steady_clock::now();
  int log = -1;
  int copied = -1;
  // PASSIVE copies every frame no reader still needs and never waits: it takes no lock a writer needs, and returns
  // SQLITE_BUSY at once while another connection checkpoints (this thread and the writer, or an operator's
  // invitectl). A reader's snapshot is respected: frames it may still read stay, and the result says how far it got.
  if (sqlite3_wal_checkpoint_v2(db, nullptr, SQLITE_CHECKPOINT_PASSIVE, &log, &copied) != SQLITE_OK) return;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  bool copied_any = true;
  {
    std::lock_guard lock(mutex_);
    // After a restart the figures describe the WAL before it (and the hook has already reset them).
    if (generation_ == generation && copied >= 0) {
      copied_any = copied > backfilled_;
      frames_ = std::max(frames_, log);  // the first run also learns what an earlier process left in the WAL
      backfilled_ = copied;
    }
  }
  if (seconds != nullptr && copied_any) seconds->observe(elapsed);
}

}  // namespace invite::store::detail
