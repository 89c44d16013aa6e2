#pragma once
// One SQLite file (WAL) per partition of invite.requested.v1: the portal users, the partition's consumed offset,
// the ids of applied requests, daily invitation counters and the outbox; for the invitation's life also each
// user's newest link, resends, password hash and delivery outcome, callers' resend windows and the offsets of
// followed topics. Schema versioned by PRAGMA user_version with ordered migrations. Not thread-safe: one thread
// uses a store (the worker's loop); operator tools open the file separately and rely on SQLite's locking (busy
// timeout).
//
// Each client holds the part it uses: the worker's hot path a RequestStore (and a PeopleStore for the
// invitation's life), its relay the outbox::Outbox, its housekeeping Maintenance, invitectl UserAdmin. One
// implementation serves them all, over the one file.
//
// Checkpoints (copying the WAL back into the database file) run where SQLite runs them by default, inside the commit
// that makes the WAL long enough, unless the file is opened with BackgroundCheckpoints: the worker's files, whose
// commits are on every request's path (docs/architecture.md, on the worker's checkpoints).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "invite/common/result.hpp"
#include "invite/outbox/outbox.hpp"
#include "invite/store/maintenance.hpp"
#include "invite/store/people_store.hpp"
#include "invite/store/request_store.hpp"
#include "invite/store/user_admin.hpp"

namespace invite::common {
class Histogram;
}

namespace invite::store {

// Checkpoints on a thread and SQLite connection of the store's own, so that no commit copies pages into the database
// file: once the WAL is `wal_pages` long, that thread copies it (PASSIVE: it never holds up the writer), and the WAL
// starts over from its beginning. The store's own thread copies only the last few pages left over, before its next
// transaction, and takes over when the WAL passes four times `wal_pages` (docs/architecture.md says why).
struct BackgroundCheckpoints {
  int wal_pages = 10000;  // 4 KiB pages: about 40 MB of WAL
  // Durations of the checkpoints run by the checkpointer's thread and by the store's own thread; either may be null.
  common::Histogram* checkpointer_seconds = nullptr;
  common::Histogram* writer_seconds = nullptr;
};

class PartitionStore : public RequestStore,
                       public PeopleStore,
                       public outbox::Outbox,
                       public Maintenance,
                       public UserAdmin {
 public:
  // Checkpoints inside commits, as SQLite does by default: operator tools and tests.
  static common::Result<std::unique_ptr<PartitionStore>> open(const std::filesystem::path& file);
  // Checkpoints in the background (the worker). The store's destructor waits for a running checkpoint to finish.
  static common::Result<std::unique_ptr<PartitionStore>> open(const std::filesystem::path& file,
                                                              const BackgroundCheckpoints& checkpoints);
  // <data_dir>/partition-<p>.sqlite
  static std::filesystem::path file_for(const std::filesystem::path& data_dir, std::int32_t partition);
  // Every partition-*.sqlite in data_dir with its partition number, sorted.
  static std::vector<std::pair<std::int32_t, std::filesystem::path>> list(const std::filesystem::path& data_dir);
  static int schema_version();  // the version migrations bring a file to

  // Both parts name the same group; one implementation answers for both.
  using RequestStore::in_group;
};

}  // namespace invite::store
