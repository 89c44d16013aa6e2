#include "sqlite_support.hpp"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "invite/common/json_writer.hpp"

namespace invite::store::detail {
namespace {

int user_version(SQLite::Database& db) { return db.execAndGet("PRAGMA user_version").getInt(); }

// Runs each missing step in its own transaction together with its version bump, so a crash mid-migration leaves
// the file at a consistent earlier version. IMMEDIATE, and re-reading the version inside the transaction, keeps
// two processes opening a new file at once (worker and invitectl) from running a step twice.
common::Result<> migrate(SQLite::Database& db, const Migrations& steps) {
  const int known = static_cast<int>(steps.size());
  const auto too_new = [known](int version) {
    return "schema version " + std::to_string(version) + " is newer than this program supports (" +
           std::to_string(known) + "); use a newer build";
  };
  for (int target = 1; target <= known; ++target) {
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int current = user_version(db);
    if (current > known) return common::fail(too_new(current));
    if (current >= target) continue;  // the transaction rolls back harmlessly
    db.exec(std::string(steps[static_cast<std::size_t>(target - 1)]));
    db.exec("PRAGMA user_version = " + std::to_string(target));
    tx.commit();
  }
  // A newer build may have migrated the file further between our steps.
  if (const int final_version = user_version(db); final_version != known) return common::fail(too_new(final_version));
  return {};
}

}  // namespace

common::Result<std::unique_ptr<SQLite::Database>> open_database(const std::filesystem::path& file,
                                                                const Migrations& migrations) {
  std::error_code ec;
  if (file.has_parent_path()) {
    std::filesystem::create_directories(file.parent_path(), ec);
    if (ec) return common::fail("cannot create directory " + file.parent_path().string() + ": " + ec.message());
  }
  try {
    auto db = std::make_unique<SQLite::Database>(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE,
                                                 /*busy timeout ms=*/5000);
    const std::string mode = db->execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal") return common::fail(file.string() + ": cannot switch to WAL journal (got '" + mode + "')");
    // FULL, not NORMAL: with WAL, NORMAL stays consistent but may lose the last commits on power loss, while
    // what they caused (published events, sent e-mails) has already left the process and cannot be taken back.
    db->exec("PRAGMA synchronous = FULL");
    // Checkpoints inside the commit that makes the WAL 10,000 pages long (SQLite's 1,000 cost more per page). The
    // worker's files move them to a thread of their own instead (wal_checkpointer.hpp).
    db->exec("PRAGMA wal_autocheckpoint = 10000");
    db->exec("PRAGMA foreign_keys = ON");
    if (auto migrated = migrate(*db, migrations); !migrated) {
      return common::fail(file.string() + ": " + migrated.error().message);
    }
    return db;
  } catch (const std::exception& e) {  // SQLite::Exception among them
    return common::fail(file.string() + ": " + e.what());
  }
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void bind_bytes(SQLite::Statement& stmt, int index, const std::string& bytes) {
  stmt.bind(index, bytes.data(), static_cast<int>(bytes.size()));
}

std::string encode_headers(const common::Headers& headers) {
  // Written for every outbox row (three per invitation), so streamed rather than built as a tree. The writer
  // replaces invalid UTF-8 (a DLQ error quoting a broken record) rather than throwing: a throw here would fail the
  // transaction and stop the service on the same record after every restart.
  common::JsonWriter out;
  out.begin_array();
  for (const auto& [k, v] : headers) {
    out.begin_array();
    out.value(k);
    out.value(v);
    out.end_array();
  }
  out.end_array();
  return out.text();
}

common::Headers decode_headers(const std::string& text) {
  common::Headers out;
  const auto array = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!array.is_array()) return out;
  for (const auto& item : array) {
    if (item.is_array() && item.size() == 2 && item[0].is_string() && item[1].is_string()) {
      out.emplace_back(item[0].get<std::string>(), item[1].get<std::string>());
    }
  }
  return out;
}

std::vector<outbox::Row> read_outbox_rows(SQLite::Statement& query) {
  std::vector<outbox::Row> rows;
  while (query.executeStep()) {
    outbox::Row row;
    row.id = query.getColumn(0).getInt64();
    row.topic = query.getColumn(1).getString();
    if (!query.getColumn(2).isNull()) row.partition = query.getColumn(2).getInt();
    row.key = query.getColumn(3).getString();
    row.value = query.getColumn(4).getString();
    row.headers = decode_headers(query.getColumn(5).getString());
    rows.push_back(std::move(row));
  }
  return rows;
}

void mark_outbox_sent(SQLite::Database& db, SQLite::Statement& update, const std::vector<std::int64_t>& ids,
                      std::string_view what, bool in_transaction) {
  if (ids.empty()) return;
  try {
    // One statement per run of consecutive ids, not one per row: a batch of acknowledgements is mostly a single
    // run (a group's rows are numbered in a row and acknowledged together).
    const auto mark_all = [&] {
      const auto now = wall_ms();
      std::vector<std::int64_t> sorted(ids);
      std::sort(sorted.begin(), sorted.end());
      for (std::size_t first = 0; first < sorted.size();) {
        std::size_t last = first;
        while (last + 1 < sorted.size() && sorted[last + 1] <= sorted[last] + 1) ++last;
        bound(update, now, sorted[first], sorted[last]).exec();
        first = last + 1;
      }
    };
    if (in_transaction) return mark_all();
    // Committed without a sync of its own (WAL keeps commit order, so the next FULL commit's sync makes this one
    // durable too): a mark lost to a power failure republishes rows with their eventIds, which costs duplicates
    // consumers already expect after a crash, while a sync per mark would add one to every batch of deliveries.
    struct Unsynced {
      SQLite::Database& db;
      explicit Unsynced(SQLite::Database& d) : db(d) { db.exec("PRAGMA synchronous = NORMAL"); }
      ~Unsynced() {
        try {
          db.exec("PRAGMA synchronous = FULL");
        } catch (const SQLite::Exception&) {
          std::abort();  // every later commit would silently lose its durability
        }
      }
    } unsynced(db);
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    mark_all();
    tx.commit();
  } catch (const SQLite::Exception& e) {
    throw std::runtime_error("store: marking " + std::string(what) + " sent failed: " + e.what());
  }
}

}  // namespace invite::store::detail
