#pragma once
// What every SQLite file of the project shares: opening with WAL and FULL sync, ordered migrations by
// PRAGMA user_version, bytes in blobs, headers as JSON, and cached statements rebound for each use.
#include <SQLiteCpp/SQLiteCpp.h>
#include <SQLiteCpp/VariadicBind.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invite/common/message.hpp"
#include "invite/common/result.hpp"
#include "invite/outbox/outbox.hpp"

namespace invite::store::detail {

// Ordered schema steps: step i brings a file from user_version i to i+1. Never edit a released step - append a
// new one, since files in the field have already run the old ones.
using Migrations = std::vector<std::string_view>;

// Creates the directory, opens (or creates) the file in WAL mode with synchronous=FULL and brings it to the
// newest version. An error names the file. SQLite's exceptions stay inside: they become the error.
common::Result<std::unique_ptr<SQLite::Database>> open_database(const std::filesystem::path& file,
                                                                const Migrations& migrations);

std::int64_t wall_ms();

// Kafka keys, values and headers are bytes: blobs keep them unchanged.
void bind_bytes(SQLite::Statement& stmt, int index, const std::string& bytes);
std::string encode_headers(const common::Headers& headers);
common::Headers decode_headers(const std::string& text);

// Outbox rows of a query selecting (id, topic, partition or NULL, key, value, headers), in its order.
std::vector<outbox::Row> read_outbox_rows(SQLite::Statement& query);
// Runs `update` (bound to ?1 = now, ?2 = first id, ?3 = last id) once per run of consecutive ids: inside the
// caller's open transaction when `in_transaction`, otherwise in one transaction of its own committed without a
// sync. Throws std::runtime_error naming `what` on failure.
void mark_outbox_sent(SQLite::Database& db, SQLite::Statement& update, const std::vector<std::int64_t>& ids,
                      std::string_view what, bool in_transaction = false);

// Binds args to ?1, ?2, ... of a cached statement. Cached statements are reused after failures too, so every use
// starts from a clean state.
template <class... Args>
SQLite::Statement& bound(SQLite::Statement& stmt, const Args&... args) {
  stmt.tryReset();
  stmt.clearBindings();
  SQLite::bind(stmt, args...);
  return stmt;
}

}  // namespace invite::store::detail
