#pragma once
// One SQLite file (WAL) per partition of invite.requested.v1: the portal users, the partition's consumed offset,
// the ids of applied requests, daily invitation counters and the outbox. Schema versioned by PRAGMA user_version
// with ordered migrations. Not thread-safe: one thread uses a store (the worker's loop); operator tools open the
// file separately and rely on SQLite's locking (busy timeout).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

#include "invite/domain/types.hpp"

namespace invite::store {

struct OutboxRow {
  std::int64_t id = 0;  // assigned by the store
  std::string topic;
  std::optional<std::int32_t> partition;  // replies go to the partition the request named
  std::string key;
  std::string value;
  std::vector<std::pair<std::string, std::string>> headers;
};

// Everything one request changes, applied atomically with the new consumed offset.
struct RequestCommit {
  std::string request_id;            // recorded as applied (empty: nothing recorded, e.g. a DLQ record)
  std::string portal;
  std::vector<domain::User> create;  // inserted
  std::vector<domain::User> raise;   // type updated (matched by id)
  std::string day;                   // "YYYY-MM-DD" (UTC) of the invitations counter
  std::int64_t invited = 0;          // added to the portal's counter for `day`
  std::vector<OutboxRow> outbox;     // rows to relay (ids ignored)
  std::int64_t next_offset = 0;      // the partition's offset to resume from
};

class PartitionStore {
 public:
  static std::variant<std::unique_ptr<PartitionStore>, std::string> open(const std::filesystem::path& file);
  // <data_dir>/partition-<p>.sqlite
  static std::filesystem::path file_for(const std::filesystem::path& data_dir, std::int32_t partition);
  // Every partition-*.sqlite in data_dir with its partition number, sorted.
  static std::vector<std::pair<std::int32_t, std::filesystem::path>> list(const std::filesystem::path& data_dir);
  static int schema_version();  // the version migrations bring a file to

  virtual ~PartitionStore() = default;

  virtual std::optional<std::int64_t> stored_offset() = 0;  // next offset to consume; nullopt for a new file
  virtual bool request_applied(std::string_view request_id) = 0;
  // Users of the portal whose lower-cased e-mail is among lower_emails, keyed by lower-cased e-mail.
  virtual std::unordered_map<std::string, domain::User> find_users(std::string_view portal,
                                                                   const std::vector<std::string>& lower_emails) = 0;
  virtual std::int64_t paid_seats_in_use(std::string_view portal) = 0;  // non-terminated RoomAdmin + DocSpaceAdmin
  virtual std::int64_t invited_on(std::string_view portal, std::string_view day) = 0;

  // One transaction; throws std::runtime_error on failure (then nothing of it is stored). Returns the ids the
  // outbox rows got, in the commit's order, so that the relay can publish them without reading them back.
  virtual std::vector<std::int64_t> apply(const RequestCommit& commit) = 0;
  virtual void store_offset(std::int64_t next_offset) = 0;

  // Group commit. Between begin_group() and commit_group(), apply() and store_offset() join one transaction that
  // commit_group() makes durable with a single sync: the cost of durability is paid per group, not per request.
  // Reads in between see the group's own writes. When anything inside the group throws, the whole group is rolled
  // back (none of its requests is stored) and the group is closed. Of the other writes, only mark_sent() may run
  // while a group is open (it joins it).
  virtual void begin_group() = 0;
  virtual void commit_group() = 0;
  virtual bool in_group() const = 0;

  // Unsent rows with an id above after_id, oldest first. Rows never change once written, so a relay that remembers
  // the last id it took reads each row once instead of re-reading the ones already on their way.
  virtual std::vector<OutboxRow> unsent(std::size_t limit, std::int64_t after_id = 0) = 0;
  // Joins the open group if there is one. Otherwise committed without a sync of its own (the next commit's sync
  // carries it): a mark lost to a power failure only makes the relay publish the row again, with the same eventId,
  // which consumers are told to expect after a crash.
  virtual void mark_sent(const std::vector<std::int64_t>& ids) = 0;
  virtual std::int64_t unsent_count() = 0;

  // Deletes what only matters for a while: sent outbox rows, applied request ids and day counters older than
  // cutoff_ms. Request ids are needed only while records of their request can be read again (a few deadlines after
  // they were applied); keeping days of them is ample. Returns the number of rows deleted.
  virtual std::int64_t prune(std::int64_t cutoff_ms) = 0;

  // Operator tooling (invitectl).
  virtual std::vector<domain::User> users(std::optional<std::string_view> portal) = 0;  // by portal, then e-mail
  // Marks a user Terminated; false when no such user.
  virtual bool disable_user(std::string_view portal, std::string_view email) = 0;
};

}  // namespace invite::store
