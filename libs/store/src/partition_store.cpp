#include "invite/store/partition_store.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <map>
#include <stdexcept>
#include <system_error>
#include <unordered_set>
#include <variant>

#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"
#include "sqlite_support.hpp"
#include "wal_checkpointer.hpp"

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
      // v2: the invitation's life (issue 13). The first e-mail's link was signed with the creation time and named
      // the creator, so existing users' newest link is exactly that.
      R"sql(
        ALTER TABLE users ADD COLUMN link_ms INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN link_inviter_id TEXT NOT NULL DEFAULT '';
        ALTER TABLE users ADD COLUMN link_job_event_id TEXT;
        ALTER TABLE users ADD COLUMN times_resent INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE users ADD COLUMN password_hash TEXT;
        ALTER TABLE users ADD COLUMN activated_at_ms INTEGER;
        ALTER TABLE users ADD COLUMN spam INTEGER NOT NULL DEFAULT 0 CHECK (spam IN (0, 1));
        ALTER TABLE users ADD COLUMN delivery_status TEXT CHECK (delivery_status IN ('sent', 'retrying', 'failed'));
        ALTER TABLE users ADD COLUMN delivery_reason TEXT;
        ALTER TABLE users ADD COLUMN delivery_at_ms INTEGER;
        ALTER TABLE users ADD COLUMN delivery_job_event_id TEXT;
        UPDATE users SET link_ms = created_at_ms, link_inviter_id = created_by;
        CREATE INDEX users_by_status ON users (portal, status, activation_status);
        CREATE INDEX users_by_created ON users (portal, created_at_ms);
        CREATE TABLE rate_windows (
          portal          TEXT NOT NULL,
          caller_id       TEXT NOT NULL,
          window_start_ms INTEGER NOT NULL,
          count           INTEGER NOT NULL,
          PRIMARY KEY (portal, caller_id)
        ) WITHOUT ROWID;
        CREATE TABLE followed_offsets (
          topic       TEXT NOT NULL,
          "partition" INTEGER NOT NULL,
          next_offset INTEGER NOT NULL,
          PRIMARY KEY (topic, "partition")
        ) WITHOUT ROWID;
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

// A user's columns, then what the invitation's life keeps beside it (never the password hash itself).
constexpr const char* kPersonExtraColumns =
    ", link_ms, link_inviter_id, times_resent, password_hash IS NOT NULL, spam, activated_at_ms, delivery_status, "
    "delivery_reason, delivery_at_ms";

std::string person_query(std::string_view after) {
  return std::string("SELECT ") + kUserColumns + kPersonExtraColumns + " FROM users" + std::string(after);
}

StoredPerson read_person(const SQLite::Statement& stmt) {
  StoredPerson p;
  p.user = read_user(stmt);
  p.invitation.sent_at_ms = stmt.getColumn(12).getInt64();
  p.invitation.inviter_id = stmt.getColumn(13).getString();
  p.invitation.times_resent = stmt.getColumn(14).getInt64();
  p.has_password = stmt.getColumn(15).getInt() != 0;
  p.spam = stmt.getColumn(16).getInt() != 0;
  if (!stmt.getColumn(17).isNull()) p.activated_at_ms = stmt.getColumn(17).getInt64();
  if (const auto status = domain::delivery_status_from_name(stmt.getColumn(18).getString())) {
    p.invitation.delivery = domain::Delivery{*status, stmt.getColumn(19).getString(), stmt.getColumn(20).getInt64()};
  }
  return p;
}

std::vector<StoredPerson> read_people(SQLite::Statement& query) {
  std::vector<StoredPerson> out;
  while (query.executeStep()) out.push_back(read_person(query));
  query.tryReset();
  return out;
}

// domain::display_name in SQL: "first last" (the space only when both are set), spaces trimmed, else the e-mail.
// SQLite's lower() folds ASCII only, as common::ascii_lower does, and text compares bytewise, as std::string does.
constexpr const char* kJoinedName =
    "(first_name || CASE WHEN first_name <> '' AND last_name <> '' THEN ' ' ELSE '' END || last_name)";

std::string display_name_sql() {
  const std::string trimmed = std::string("trim(") + kJoinedName + ", ' ')";
  return "(CASE WHEN " + trimmed + " = '' THEN email ELSE " + trimmed + " END)";
}

// The listing's WHERE clause and its parameters, in the order of the ?s.
struct ListingFilter {
  std::string where;
  std::vector<std::variant<std::int64_t, std::string>> params;
};

ListingFilter listing_filter(std::string_view portal, const domain::PeopleFilter& filter, std::string_view caller_id) {
  ListingFilter f;
  f.where = " WHERE portal = ?";
  f.params.emplace_back(std::string(portal));
  if (filter.status) {
    f.where += " AND status = ?";
    f.params.emplace_back(static_cast<std::int64_t>(*filter.status));
  }
  if (filter.activation) {
    f.where += " AND activation_status = ?";
    f.params.emplace_back(static_cast<std::int64_t>(*filter.activation));
  }
  if (filter.type) {
    f.where += " AND type = ?";
    f.params.emplace_back(static_cast<std::int64_t>(*filter.type));
  }
  if (filter.inviter_id) {
    f.where += " AND lower(created_by) = ?";
    f.params.emplace_back(common::ascii_lower(*filter.inviter_id));
  }
  if (filter.invited_by_me) {
    // domain::matches: the user's creator is the caller (a resend by the caller does not make it the inviter).
    f.where += " AND lower(created_by) = ?";
    f.params.emplace_back(common::ascii_lower(caller_id));
  }
  if (filter.text && !filter.text->empty()) {
    // instr, not LIKE: the needle is the client's text, and % or _ in it are plain characters. One numbered
    // parameter serves the four places; a plain ? after it takes the next number.
    f.params.emplace_back(common::ascii_lower(*filter.text));
    const std::string needle = "?" + std::to_string(f.params.size());
    f.where += " AND (instr(email_lower, " + needle + ") > 0 OR instr(lower(first_name), " + needle +
               ") > 0 OR instr(lower(last_name), " + needle + ") > 0 OR instr(lower(" + display_name_sql() + "), " +
               needle + ") > 0)";
  }
  return f;
}

class SqlitePartitionStore final : public PartitionStore {
 public:
  // With a checkpointer (it already watches db), the WAL is checkpointed in the background.
  SqlitePartitionStore(std::unique_ptr<SQLite::Database> db, std::unique_ptr<detail::WalCheckpointer> checkpointer)
      : db_(std::move(db)),
        checkpointer_(std::move(checkpointer)),
        insert_user_(*db_,
                     "INSERT INTO users (id, portal, email, email_lower, first_name, last_name, user_name, type, "
                     "activation_status, status, culture, created_by, created_at_ms, link_ms, link_inviter_id) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13, ?12)"),
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
        mark_sent_(*db_, "UPDATE outbox SET sent_at_ms = ? WHERE id BETWEEN ? AND ? AND sent_at_ms IS NULL"),
        unsent_count_(*db_, "SELECT COUNT(*) FROM outbox WHERE sent_at_ms IS NULL"),
        activate_(*db_,
                  "UPDATE users SET status = ?, activation_status = ?, first_name = ?, last_name = ?, culture = ?, "
                  "password_hash = ?, spam = ?, activated_at_ms = ? WHERE portal = ? AND id = ?"),
        reissue_(*db_,
                 "UPDATE users SET link_ms = ?, link_inviter_id = ?, link_job_event_id = NULLIF(?, ''), "
                 "times_resent = times_resent + 1, delivery_status = NULL, delivery_reason = NULL, "
                 "delivery_at_ms = NULL, delivery_job_event_id = NULL WHERE portal = ? AND id = ?"),
        disable_by_id_(*db_, "UPDATE users SET status = ? WHERE portal = ? AND id = ?"),
        remove_(*db_, "DELETE FROM users WHERE portal = ? AND id = ?"),
        // DeliveryOutcome's rule: the newest link's job only (any job before a resend named one), and not older
        // than the stored outcome; at the same ms a final one (?5) wins over retrying.
        deliver_(*db_,
                 "UPDATE users SET delivery_status = ?1, delivery_reason = NULLIF(?2, ''), delivery_at_ms = ?3, "
                 "delivery_job_event_id = ?4 "
                 "WHERE portal = ?6 AND id = ?7 "
                 "AND (link_job_event_id IS NULL OR link_job_event_id = ?4) "
                 "AND (delivery_at_ms IS NULL OR ?3 > delivery_at_ms "
                 "     OR (?3 = delivery_at_ms AND (?5 OR delivery_status = 'retrying')))"),
        upsert_rate_(*db_,
                     "INSERT INTO rate_windows (portal, caller_id, window_start_ms, count) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (portal, caller_id) DO UPDATE SET window_start_ms = excluded.window_start_ms, "
                     "count = excluded.count"),
        upsert_followed_(*db_,
                         "INSERT INTO followed_offsets (topic, \"partition\", next_offset) VALUES (?, ?, ?) "
                         "ON CONFLICT (topic, \"partition\") DO UPDATE SET next_offset = excluded.next_offset"),
        find_person_(*db_, person_query(" WHERE portal = ? AND email_lower = ?")),
        find_person_by_id_(*db_, person_query(" WHERE portal = ? AND id = ?")),
        pending_(*db_, person_query(" WHERE portal = ? AND status = ? AND activation_status != ? "
                                    "ORDER BY created_at_ms, id")),
        select_rate_(*db_, "SELECT window_start_ms, count FROM rate_windows WHERE portal = ? AND caller_id = ?"),
        select_followed_(*db_, "SELECT next_offset FROM followed_offsets WHERE topic = ? AND \"partition\" = ?") {}

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
    before_write();
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
      if (!group_) {
        before_write();
        own.emplace(*db_, SQLite::TransactionBehavior::IMMEDIATE);
      }
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
      apply_lifecycle(commit);
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
    before_write();
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
    if (!ids.empty()) before_write();
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
    before_write();
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
      SQLite::Statement windows(*db_, "DELETE FROM rate_windows WHERE window_start_ms < ?");
      windows.bind(1, cutoff_ms);
      deleted += windows.exec();
      tx.commit();
      return deleted;
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error(std::string("store: pruning failed: ") + e.what());
    }
  }

  std::vector<StoredPerson> users(std::optional<std::string_view> portal) override {
    // Operator path: not worth caching.
    SQLite::Statement q(*db_, person_query(portal ? " WHERE portal = ? ORDER BY portal, email_lower"
                                                  : " ORDER BY portal, email_lower"));
    if (portal) q.bind(1, std::string(*portal));
    return read_people(q);
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

  // ---- PeopleStore ----

  std::optional<StoredPerson> find_person(std::string_view portal, std::string_view lower_email) override {
    auto& q = bound(find_person_, std::string(portal), std::string(lower_email));
    std::optional<StoredPerson> found;
    if (q.executeStep()) found = read_person(q);
    q.tryReset();
    return found;
  }

  std::vector<StoredPerson> find_people(std::string_view portal, const std::vector<std::string>& ids) override {
    // One primary-key lookup per id, like find_users: a request names at most a thousand.
    std::vector<StoredPerson> found;
    std::unordered_set<std::string_view> seen;
    const std::string portal_text(portal);
    for (const auto& id : ids) {
      if (!seen.insert(id).second) continue;
      auto& q = bound(find_person_by_id_, portal_text, id);
      if (q.executeStep()) found.push_back(read_person(q));
    }
    find_person_by_id_.tryReset();
    return found;
  }

  std::vector<StoredPerson> pending_people(std::string_view portal) override {
    return read_people(bound(pending_, std::string(portal), static_cast<int>(domain::EmployeeStatus::Pending),
                             static_cast<int>(domain::ActivationStatus::Activated)));
  }

  PeoplePage list_people(std::string_view portal, const domain::PeopleQuery& query,
                         std::string_view caller_id) override {
    const auto filter = listing_filter(portal, query.filter, caller_id);
    PeoplePage page;
    {
      auto& count = cached("SELECT COUNT(*) FROM users" + filter.where);
      bind_params(count, filter.params);
      count.executeStep();
      page.total = count.getColumn(0).getInt64();
      count.tryReset();
    }
    std::string key;
    switch (query.sort_by) {
      case domain::SortBy::Email:
        key = "email_lower";  // domain::normalize_email is ascii_lower: the (portal, email_lower) index serves
        break;
      case domain::SortBy::DisplayName:
        key = "lower(" + display_name_sql() + ")";
        break;
      case domain::SortBy::Created:
        key = "created_at_ms";
        break;
    }
    const char* direction = query.sort_order == domain::SortOrder::Ascending ? " ASC" : " DESC";
    auto& list = cached(person_query(filter.where) + " ORDER BY " + key + direction + ", id ASC LIMIT ? OFFSET ?");
    bind_params(list, filter.params);
    const int next = static_cast<int>(filter.params.size()) + 1;
    list.bind(next, static_cast<std::int64_t>(std::min<std::size_t>(query.count, INT64_MAX)));
    list.bind(next + 1, static_cast<std::int64_t>(std::min<std::size_t>(query.start_index, INT64_MAX)));
    page.people = read_people(list);
    return page;
  }

  domain::RateWindow rate_window(std::string_view portal, std::string_view caller_id) override {
    auto& q = bound(select_rate_, std::string(portal), std::string(caller_id));
    domain::RateWindow window;
    if (q.executeStep()) window = {q.getColumn(0).getInt64(), q.getColumn(1).getInt64()};
    q.tryReset();
    return window;
  }

  std::optional<std::int64_t> followed_offset(std::string_view topic, std::int32_t partition) override {
    auto& q = bound(select_followed_, std::string(topic), partition);
    std::optional<std::int64_t> offset;
    if (q.executeStep()) offset = q.getColumn(0).getInt64();
    q.tryReset();
    return offset;
  }

 private:
  void write_offset(std::int64_t next_offset) { bound(upsert_offset_, next_offset).exec(); }

  // Before a write transaction of its own (a group's writes join the group's): the checkpointer may want the WAL's
  // last pages copied so that this transaction starts the WAL over (wal_checkpointer.hpp).
  void before_write() {
    if (checkpointer_ && !group_) checkpointer_->before_write();
  }

  // Inside apply()'s transaction. Every change is scoped by the commit's portal.
  void apply_lifecycle(const RequestCommit& commit) {
    const auto require_one = [](int changed, std::string_view what, const std::string& id) {
      if (changed != 1) throw std::runtime_error("no user with id " + id + " to " + std::string(what));
    };
    for (const auto& a : commit.activate) {
      require_one(bound(activate_, static_cast<int>(domain::EmployeeStatus::Active),
                        static_cast<int>(domain::ActivationStatus::Activated), a.first_name, a.last_name, a.culture,
                        a.password_hash, a.spam ? 1 : 0, a.activated_at_ms, commit.portal, a.user_id)
                      .exec(),
                  "activate", a.user_id);
    }
    for (const auto& r : commit.reissue) {
      require_one(bound(reissue_, r.link_ms, r.inviter_id, r.job_event_id, commit.portal, r.user_id).exec(),
                  "issue a link to", r.user_id);
    }
    for (const auto& id : commit.disable) {
      require_one(bound(disable_by_id_, static_cast<int>(domain::EmployeeStatus::Terminated), commit.portal, id).exec(),
                  "disable", id);
    }
    for (const auto& id : commit.remove) require_one(bound(remove_, commit.portal, id).exec(), "delete", id);
    for (const auto& d : commit.deliveries) {
      const bool final_outcome = d.status != domain::DeliveryStatus::Retrying;
      // Zero rows is an answer too: an outcome of an older job, an older report, or a user deleted since.
      bound(deliver_, std::string(domain::to_string(d.status)), d.reason, d.at_ms, d.job_event_id,
            final_outcome ? 1 : 0, commit.portal, d.user_id)
          .exec();
    }
    if (commit.rate_window) {
      const auto& w = *commit.rate_window;
      bound(upsert_rate_, commit.portal, w.caller_id, w.window.started_ms, w.window.used).exec();
    }
    for (const auto& f : commit.followed) bound(upsert_followed_, f.topic, f.partition, f.next_offset).exec();
  }

  // The listing's statements, one per shape of filter and order (a few hundred at most), prepared once.
  SQLite::Statement& cached(const std::string& sql) {
    auto& slot = listing_[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(*db_, sql);
    slot->tryReset();
    slot->clearBindings();
    return *slot;
  }

  static void bind_params(SQLite::Statement& stmt, const std::vector<std::variant<std::int64_t, std::string>>& params) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      std::visit([&](const auto& value) { stmt.bind(static_cast<int>(i) + 1, value); }, params[i]);
    }
  }

  std::unique_ptr<SQLite::Database> db_;
  // Between db_ and the rest: stopped after the group rolls back and the statements are gone, before db_ closes.
  std::unique_ptr<detail::WalCheckpointer> checkpointer_;
  std::optional<SQLite::Transaction> group_;  // declared after db_: rolled back before the database closes
  SQLite::Statement insert_user_, raise_user_, insert_applied_, add_invited_, insert_outbox_, upsert_offset_;
  SQLite::Statement select_offset_, select_applied_, find_user_, paid_seats_, invited_on_;
  SQLite::Statement select_unsent_, mark_sent_, unsent_count_;
  SQLite::Statement activate_, reissue_, disable_by_id_, remove_, deliver_, upsert_rate_, upsert_followed_;
  SQLite::Statement find_person_, find_person_by_id_, pending_, select_rate_, select_followed_;
  std::map<std::string, std::unique_ptr<SQLite::Statement>> listing_;
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
  return std::unique_ptr<PartitionStore>(std::make_unique<SqlitePartitionStore>(std::move(*opened), nullptr));
}

common::Result<std::unique_ptr<PartitionStore>> PartitionStore::open(const std::filesystem::path& file,
                                                                     const BackgroundCheckpoints& checkpoints) {
  auto opened = detail::open_database(file, migrations());
  if (!opened) return opened.error();
  try {
    auto checkpointer = std::make_unique<detail::WalCheckpointer>(**opened, file, checkpoints);
    return std::unique_ptr<PartitionStore>(
        std::make_unique<SqlitePartitionStore>(std::move(*opened), std::move(checkpointer)));
  } catch (const std::exception& e) {  // SQLite::Exception among them
    return common::fail(file.string() + ": cannot start its checkpointer: " + e.what());
  }
}

}  // namespace invite::store
