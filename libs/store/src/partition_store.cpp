#include "invite/store/partition_store.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <stdexcept>
#include <system_error>

#include "invite/common/ids.hpp"
#include "invite/domain/validation.hpp"
#include "sqlite_support.hpp"

namespace invite::store {
namespace {

using detail::bind_bytes;
using detail::bound;
using detail::encode_headers;
using detail::wall_ms;
using domain::User;

const detail::Migrations& migrations() {
  static const detail::Migrations steps = {
      // v1
      R"sql(
        CREATE TABLE users (
          id                TEXT PRIMARY KEY,
          portal            TEXT NOT NULL,
          email             TEXT NOT NULL,
          email_lower       TEXT NOT NULL,
          first_name        TEXT NOT NULL DEFAULT '',
          last_name         TEXT NOT NULL DEFAULT '',
          user_name         TEXT NOT NULL DEFAULT '',
          type              INTEGER NOT NULL,
          activation_status INTEGER NOT NULL,
          status            INTEGER NOT NULL,
          culture           TEXT NOT NULL DEFAULT '',
          created_by        TEXT NOT NULL DEFAULT '',
          created_at_ms     INTEGER NOT NULL,
          UNIQUE (portal, email_lower)
        );
        CREATE TABLE consumer_offset (
          id          INTEGER PRIMARY KEY CHECK (id = 1),
          next_offset INTEGER NOT NULL
        );
        CREATE TABLE applied_requests (
          request_id    TEXT PRIMARY KEY,
          applied_at_ms INTEGER NOT NULL
        );
        CREATE TABLE daily_invitations (
          portal TEXT NOT NULL,
          day    TEXT NOT NULL,
          count  INTEGER NOT NULL,
          PRIMARY KEY (portal, day)
        );
        CREATE TABLE outbox (
          id            INTEGER PRIMARY KEY AUTOINCREMENT,
          topic         TEXT NOT NULL,
          "partition"   INTEGER,
          key           BLOB NOT NULL,
          value         BLOB NOT NULL,
          headers       TEXT NOT NULL DEFAULT '[]',
          created_at_ms INTEGER NOT NULL,
          sent_at_ms    INTEGER
        );
        CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at_ms IS NULL;
      )sql",
  };
  return steps;
}

constexpr const char* kUserColumns =
    "id, portal, email, first_name, last_name, user_name, type, activation_status, status, culture, created_by, "
    "created_at_ms";

User read_user(const SQLite::Statement& stmt) {
  User u;
  u.id = stmt.getColumn(0).getString();
  u.portal = stmt.getColumn(1).getString();
  u.email = stmt.getColumn(2).getString();
  u.first_name = stmt.getColumn(3).getString();
  u.last_name = stmt.getColumn(4).getString();
  u.user_name = stmt.getColumn(5).getString();
  u.type = static_cast<domain::EmployeeType>(stmt.getColumn(6).getInt());
  u.activation_status = static_cast<domain::ActivationStatus>(stmt.getColumn(7).getInt());
  u.status = static_cast<domain::EmployeeStatus>(stmt.getColumn(8).getInt());
  u.culture = stmt.getColumn(9).getString();
  u.created_by = stmt.getColumn(10).getString();
  u.created_at_ms = stmt.getColumn(11).getInt64();
  return u;
}

std::string with_columns(const char* before, const char* after) { return std::string(before) + kUserColumns + after; }

class SqlitePartitionStore final : public PartitionStore {
 public:
  explicit SqlitePartitionStore(std::unique_ptr<SQLite::Database> db)
      : db_(std::move(db)),
        insert_user_(*db_,
                     "INSERT INTO users (id, portal, email, email_lower, first_name, last_name, user_name, type, "
                     "activation_status, status, culture, created_by, created_at_ms) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
        raise_user_(*db_, "UPDATE users SET type = ? WHERE id = ?"),
        insert_applied_(*db_, "INSERT INTO applied_requests (request_id, applied_at_ms) VALUES (?, ?)"),
        add_invited_(*db_,
                     "INSERT INTO daily_invitations (portal, day, count) VALUES (?, ?, ?) "
                     "ON CONFLICT (portal, day) DO UPDATE SET count = count + excluded.count"),
        insert_outbox_(*db_,
                       "INSERT INTO outbox (topic, \"partition\", key, value, headers, created_at_ms) "
                       "VALUES (?, ?, ?, ?, ?, ?)"),
        upsert_offset_(*db_,
                       "INSERT INTO consumer_offset (id, next_offset) VALUES (1, ?) "
                       "ON CONFLICT (id) DO UPDATE SET next_offset = excluded.next_offset"),
        select_offset_(*db_, "SELECT next_offset FROM consumer_offset WHERE id = 1"),
        select_applied_(*db_, "SELECT 1 FROM applied_requests WHERE request_id = ?"),
        find_user_(*db_, with_columns("SELECT ", " FROM users WHERE portal = ? AND email_lower = ?")),
        paid_seats_(*db_, "SELECT COUNT(*) FROM users WHERE portal = ? AND status != ? AND type IN (?, ?)"),
        invited_on_(*db_, "SELECT count FROM daily_invitations WHERE portal = ? AND day = ?"),
        select_unsent_(*db_,
                       "SELECT id, topic, \"partition\", key, value, headers FROM outbox "
                       "WHERE sent_at_ms IS NULL AND id > ? ORDER BY id LIMIT ?"),
        mark_sent_(*db_, "UPDATE outbox SET sent_at_ms = ? WHERE id = ? AND sent_at_ms IS NULL"),
        unsent_count_(*db_, "SELECT COUNT(*) FROM outbox WHERE sent_at_ms IS NULL") {}

  std::optional<std::int64_t> stored_offset() override {
    auto& q = bound(select_offset_);
    if (!q.executeStep()) return std::nullopt;
    const auto value = q.getColumn(0).getInt64();
    q.tryReset();
    return value;
  }

  bool request_applied(std::string_view request_id) override {
    auto& q = bound(select_applied_, std::string(request_id));
    const bool found = q.executeStep();
    q.tryReset();
    return found;
  }

  std::unordered_map<std::string, User> find_users(std::string_view portal,
                                                   const std::vector<std::string>& lower_emails) override {
    // One indexed lookup per e-mail through a cached statement: cheaper than building an IN list per request,
    // and a request has at most a few hundred distinct e-mails.
    std::unordered_map<std::string, User> found;
    const std::string portal_text(portal);
    for (const auto& email : lower_emails) {
      if (found.count(email) != 0) continue;
      auto& q = bound(find_user_, portal_text, email);
      if (q.executeStep()) found.emplace(email, read_user(q));
    }
    find_user_.tryReset();
    return found;
  }

  std::int64_t paid_seats_in_use(std::string_view portal) override {
    auto& q =
        bound(paid_seats_, std::string(portal), static_cast<int>(domain::EmployeeStatus::Terminated),
              static_cast<int>(domain::EmployeeType::RoomAdmin), static_cast<int>(domain::EmployeeType::DocSpaceAdmin));
    q.executeStep();
    const auto n = q.getColumn(0).getInt64();
    q.tryReset();
    return n;
  }

  std::int64_t invited_on(std::string_view portal, std::string_view day) override {
    auto& q = bound(invited_on_, std::string(portal), std::string(day));
    const auto n = q.executeStep() ? q.getColumn(0).getInt64() : 0;
    q.tryReset();
    return n;
  }

  void begin_group() override {
    assert(!group_);
    try {
      group_.emplace(*db_, SQLite::TransactionBehavior::IMMEDIATE);
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error(std::string("store: starting a group failed: ") + e.what());
    }
  }

  void commit_group() override {
    assert(group_);
    try {
      group_->commit();
      group_.reset();
    } catch (const SQLite::Exception& e) {
      group_.reset();  // rolls back
      throw std::runtime_error(std::string("store: committing a group failed: ") + e.what());
    }
  }

  bool in_group() const override { return group_.has_value(); }

  std::vector<std::int64_t> apply(const RequestCommit& commit) override {
    try {
      // Its own transaction unless it joins a group. IMMEDIATE takes the write lock up front, so a concurrent
      // invitectl makes us wait (busy timeout) instead of failing halfway with SQLITE_BUSY on a read-to-write upgrade.
      std::optional<SQLite::Transaction> own;
      if (!group_) own.emplace(*db_, SQLite::TransactionBehavior::IMMEDIATE);
      const auto now = wall_ms();
      std::vector<std::int64_t> ids;
      ids.reserve(commit.outbox.size());
      for (const auto& u : commit.create) {
        bound(insert_user_, u.id, u.portal, u.email, domain::normalize_email(u.email), u.first_name, u.last_name,
              u.user_name, static_cast<int>(u.type), static_cast<int>(u.activation_status), static_cast<int>(u.status),
              u.culture, u.created_by, u.created_at_ms)
            .exec();
      }
      for (const auto& u : commit.raise) {
        if (bound(raise_user_, static_cast<int>(u.type), u.id).exec() != 1) {
          throw std::runtime_error("no user with id " + u.id + " to raise");
        }
      }
      if (!commit.request_id.empty()) bound(insert_applied_, commit.request_id, now).exec();
      if (commit.invited > 0) bound(add_invited_, commit.portal, commit.day, commit.invited).exec();
      for (const auto& row : commit.outbox) {
        // Blobs and NULL need Statement's own overloads: bound() binds only the topic.
        auto& s = bound(insert_outbox_, row.topic);
        if (row.partition) {
          s.bind(2, *row.partition);
        } else {
          s.bind(2);  // NULL: the producer's partitioner picks
        }
        bind_bytes(s, 3, row.key);
        bind_bytes(s, 4, row.value);
        s.bind(5, encode_headers(row.headers));
        s.bind(6, now);
        s.exec();
        ids.push_back(db_->getLastInsertRowid());
      }
      write_offset(commit.next_offset);
      if (own) own->commit();
      return ids;
    } catch (const std::exception& e) {  // SQLite::Exception, or a user to raise that is not there
      group_.reset();                    // a half-applied request must not be committed with the rest of its group
      throw std::runtime_error(std::string("store: applying request '") + commit.request_id + "' failed: " + e.what());
    }
  }

  void store_offset(std::int64_t next_offset) override {
    try {
      write_offset(next_offset);
    } catch (const SQLite::Exception& e) {
      group_.reset();
      throw std::runtime_error(std::string("store: storing offset failed: ") + e.what());
    }
  }

  std::vector<outbox::Row> unsent(std::size_t limit, std::int64_t after_id) override {
    return detail::read_outbox_rows(
        bound(select_unsent_, after_id, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX))));
  }

  void mark_sent(const std::vector<std::int64_t>& ids) override {
    try {
      detail::mark_outbox_sent(*db_, mark_sent_, ids, "outbox rows", /*in_transaction=*/group_.has_value());
    } catch (const std::runtime_error&) {
      group_.reset();  // a group that failed halfway is rolled back whole
      throw;
    }
  }

  std::int64_t unsent_count() override {
    auto& q = bound(unsent_count_);
    q.executeStep();
    const auto n = q.getColumn(0).getInt64();
    q.tryReset();
    return n;
  }

  std::int64_t prune(std::int64_t cutoff_ms) override {
    assert(!group_);
    try {
      SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
      std::int64_t deleted = 0;
      SQLite::Statement outbox(*db_, "DELETE FROM outbox WHERE sent_at_ms IS NOT NULL AND sent_at_ms < ?");
      outbox.bind(1, cutoff_ms);
      deleted += outbox.exec();
      SQLite::Statement applied(*db_, "DELETE FROM applied_requests WHERE applied_at_ms < ?");
      applied.bind(1, cutoff_ms);
      deleted += applied.exec();
      SQLite::Statement days(*db_, "DELETE FROM daily_invitations WHERE day < ?");
      days.bind(1, common::utc_day(cutoff_ms));
      deleted += days.exec();
      tx.commit();
      return deleted;
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error(std::string("store: pruning failed: ") + e.what());
    }
  }

  std::vector<User> users(std::optional<std::string_view> portal) override {
    // Operator path: not worth caching.
    SQLite::Statement q(*db_,
                        with_columns("SELECT ", portal ? " FROM users WHERE portal = ? ORDER BY portal, email_lower"
                                                       : " FROM users ORDER BY portal, email_lower"));
    if (portal) q.bind(1, std::string(*portal));
    std::vector<User> out;
    while (q.executeStep()) out.push_back(read_user(q));
    return out;
  }

  bool disable_user(std::string_view portal, std::string_view email) override {
    try {
      SQLite::Statement s(*db_, "UPDATE users SET status = ? WHERE portal = ? AND email_lower = ?");
      s.bind(1, static_cast<int>(domain::EmployeeStatus::Terminated));
      s.bind(2, std::string(portal));
      s.bind(3, domain::normalize_email(email));
      return s.exec() > 0;
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error(std::string("store: disabling user failed: ") + e.what());
    }
  }

 private:
  void write_offset(std::int64_t next_offset) { bound(upsert_offset_, next_offset).exec(); }

  std::unique_ptr<SQLite::Database> db_;
  std::optional<SQLite::Transaction> group_;  // declared after db_: rolled back before the database closes
  SQLite::Statement insert_user_, raise_user_, insert_applied_, add_invited_, insert_outbox_, upsert_offset_;
  SQLite::Statement select_offset_, select_applied_, find_user_, paid_seats_, invited_on_;
  SQLite::Statement select_unsent_, mark_sent_, unsent_count_;
};

}  // namespace

int PartitionStore::schema_version() { return static_cast<int>(migrations().size()); }

std::filesystem::path PartitionStore::file_for(const std::filesystem::path& data_dir, std::int32_t partition) {
  return data_dir / ("partition-" + std::to_string(partition) + ".sqlite");
}

std::vector<std::pair<std::int32_t, std::filesystem::path>> PartitionStore::list(
    const std::filesystem::path& data_dir) {
  std::vector<std::pair<std::int32_t, std::filesystem::path>> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(data_dir, ec);
  if (ec) return out;  // a missing data directory simply holds no partitions
  constexpr std::string_view prefix = "partition-";
  constexpr std::string_view suffix = ".sqlite";
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    if (name.size() <= prefix.size() + suffix.size() || !name.starts_with(prefix) || !name.ends_with(suffix)) continue;
    const std::string_view digits =
        std::string_view(name).substr(prefix.size(), name.size() - prefix.size() - suffix.size());
    std::int32_t partition = 0;
    const auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), partition);
    if (err != std::errc() || end != digits.data() + digits.size() || partition < 0) continue;
    // Only the canonical spelling, so "partition-01.sqlite" cannot shadow "partition-1.sqlite".
    if (std::to_string(partition) != digits) continue;
    out.emplace_back(partition, it->path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

common::Result<std::unique_ptr<PartitionStore>> PartitionStore::open(const std::filesystem::path& file) {
  auto opened = detail::open_database(file, migrations());
  if (!opened) return opened.error();
  return std::unique_ptr<PartitionStore>(std::make_unique<SqlitePartitionStore>(std::move(*opened)));
}

}  // namespace invite::store
