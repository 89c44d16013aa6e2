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

namespace invite::store {

class PartitionStore : public RequestStore,
                       public PeopleStore,
                       public outbox::Outbox,
                       public Maintenance,
                       public UserAdmin {
 public:
  static common::Result<std::unique_ptr<PartitionStore>> open(const std::filesystem::path& file);
  // <data_dir>/partition-<p>.sqlite
  static std::filesystem::path file_for(const std::filesystem::path& data_dir, std::int32_t partition);
  // Every partition-*.sqlite in data_dir with its partition number, sorted.
  static std::vector<std::pair<std::int32_t, std::filesystem::path>> list(const std::filesystem::path& data_dir);
  static int schema_version();  // the version migrations bring a file to

  // Both parts name the same group; one implementation answers for both.
  using RequestStore::in_group;
};

}  // namespace invite::store
