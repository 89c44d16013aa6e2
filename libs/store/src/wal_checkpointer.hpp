#pragma once
// Checkpoints of one partition file on a thread and connection of their own (BackgroundCheckpoints), so that the
// store's commits never copy the WAL into the database file themselves.
//
// How it is driven. SQLite calls a WAL hook on the store's connection after each of its commits with the WAL's
// length in frames (one page each); the hook only records it and wakes the checkpointer when there is work for it.
// The WAL starts over from its beginning (and stops growing) when the writer begins a transaction while every frame
// is copied into the database file; who copies them:
//   - below `wal_pages` frames, nobody: the WAL just grows;
//   - from `wal_pages` to four times that (the hard limit), the checkpointer while more than an eighth of
//     `wal_pages` is left to copy. It runs PASSIVE checkpoints, which take no lock a writer needs, so a commit never
//     waits for one. Under steady load some frames are always newer than its last checkpoint, so the writer copies
//     that last eighth or less (typically its last group's pages) before its next transaction, which then starts
//     the WAL over. At low load the checkpointer copies everything and the writer nothing;
//   - past the hard limit, the writer, all that is left, before each transaction: the checkpointer fell behind (its
//     checkpoints are slower than the writer's commits, or its thread gets no CPU), or a reader holds an old snapshot
//     no checkpoint may copy past. Against the first the writer waits for the checkpointer's run under way, if any,
//     and copies the rest itself: it is paced by checkpoints, as with SQLite's own autocheckpoint, and the WAL ends
//     at most one transaction past the limit. Against the second nothing can be done until the reader ends; each
//     attempt meanwhile finds nothing to copy and costs microseconds (the checkpointer is not woken past the limit,
//     so there is no run to wait for), and the writer never waits for the reader.
#include <SQLiteCpp/Database.h>
#include <sqlite3.h>

#include <algorithm>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <thread>

#include "invite/store/partition_store.hpp"

namespace invite::store::detail {

class WalCheckpointer {
 public:
  // Takes checkpointing over from `writer` (its autocheckpoint off, the hook on), opens the second connection to
  // `file` and starts the thread. Throws SQLite::Exception when that connection cannot be opened. `writer` must
  // outlive this object and have no transaction open while it is constructed.
  WalCheckpointer(SQLite::Database& writer, const std::filesystem::path& file, const BackgroundCheckpoints& settings);
  // Lets a running checkpoint finish, joins the thread and removes the hook. What is left in the WAL stays there:
  // the last connection to close copies it (SQLite), and after a crash SQLite's recovery reads it.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

  // The writer's thread, before it begins a write transaction (none open): copies the WAL's last frames when that
  // lets the WAL start over, and all of it past the hard limit (see above). Never waits for a lock, only past the
  // hard limit for the checkpointer's run under way; never throws: a checkpoint that cannot run now is tried again
  // before the next transaction.
  void before_write();

 private:
  static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
  void committed(int frames);
  void run();
  // One PASSIVE checkpoint on `db`, recording how far the WAL is copied (nothing when it could not run).
  void checkpoint(sqlite3* db, common::Histogram* seconds);
  // Under mutex_: the frames not copied yet (those a running checkpoint is copying count as copied, so that a commit
  // meanwhile does not wake the thread for them again), and whether copying them is the checkpointer's job now.
  int pending() const {
    const int copied = std::max(backfilled_, copying_to_);
    return frames_ > copied ? frames_ - copied : 0;
  }
  bool checkpointers_share() const;

  SQLite::Database& writer_;
  SQLite::Database own_;  // used by the thread only, once constructed
  const int wal_pages_;
  const std::int64_t hard_limit_;  // four times wal_pages_
  common::Histogram* const checkpointer_seconds_;
  common::Histogram* const writer_seconds_;

  std::mutex mutex_;
  std::condition_variable wake_up_;  // the thread waits for work
  std::condition_variable idle_;     // the writer, past the hard limit, waits for a run under way to end
  int frames_ = 0;                   // the WAL's length after the writer's last commit
  int backfilled_ = 0;               // how many of those frames the last checkpoint had copied
  int copying_to_ = 0;               // while the thread checkpoints: the WAL's length when it started
  std::uint64_t generation_ = 0;     // WAL restarts the hook has seen: a checkpoint's figures of an older WAL are void
  bool wake_ = true;                 // the first run right away
  bool running_ = false;
  bool stop_ = false;
  std::thread thread_;  // last: it starts once everything above is set
};

}  // namespace invite::store::detail
