#include "invite/store/mailer_store.hpp"

#include <algorithm>
#include <stdexcept>

#include "sqlite_support.hpp"

namespace invite::store {
namespace {

using detail::bind_bytes;
using detail::bound;
using detail::wall_ms;

const detail::Migrations& migrations() {
  static const detail::Migrations steps = {
      // v1
      R"sql(
        CREATE TABLE jobs (
          event_id        TEXT PRIMARY KEY,
          topic_partition INTEGER NOT NULL,
          topic_offset    INTEGER NOT NULL,
          value           BLOB NOT NULL,
          headers         TEXT NOT NULL DEFAULT '[]',
          domain          TEXT NOT NULL,
          state           INTEGER NOT NULL,
          attempts        INTEGER NOT NULL DEFAULT 0,
          next_attempt_ms INTEGER NOT NULL,
          reason          TEXT NOT NULL DEFAULT '',
          received_at_ms  INTEGER NOT NULL,
          decided_at_ms   INTEGER
        );
        CREATE INDEX jobs_due ON jobs (next_attempt_ms) WHERE state = 0;
        CREATE INDEX jobs_pending_offset ON jobs (topic_partition, topic_offset) WHERE state = 0;
        CREATE TABLE status_outbox (
          id            INTEGER PRIMARY KEY AUTOINCREMENT,
          topic         TEXT NOT NULL,
          key           BLOB NOT NULL,
          value         BLOB NOT NULL,
          headers       TEXT NOT NULL DEFAULT '[]',
          created_at_ms INTEGER NOT NULL,
          sent_at_ms    INTEGER
        );
        CREATE INDEX status_unsent ON status_outbox (id) WHERE sent_at_ms IS NULL;
      )sql",
  };
  return steps;
}

constexpr const char* kJobColumns =
    "event_id, topic_partition, topic_offset, value, headers, domain, attempts, next_attempt_ms";

MailJob read_job(const SQLite::Statement& q) {
  MailJob job;
  job.event_id = q.getColumn(0).getString();
  job.partition = q.getColumn(1).getInt();
  job.offset = q.getColumn(2).getInt64();
  job.value = q.getColumn(3).getString();
  job.headers = detail::decode_headers(q.getColumn(4).getString());
  job.domain = q.getColumn(5).getString();
  job.attempts = q.getColumn(6).getInt();
  job.next_attempt_ms = q.getColumn(7).getInt64();
  return job;
}

class SqliteMailerStore final : public MailerStore {
 public:
  explicit SqliteMailerStore(std::unique_ptr<SQLite::Database> db)
      : db_(std::move(db)),
        insert_job_(*db_,
                    "INSERT INTO jobs (event_id, topic_partition, topic_offset, value, headers, domain, state, "
                    "attempts, next_attempt_ms, received_at_ms) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?) "
                    "ON CONFLICT (event_id) DO NOTHING"),
        // SQLite returns the other columns of the row holding the MIN(): the job of each domain due first.
        select_due_(*db_, std::string("SELECT ") + kJobColumns +
                              ", MIN(next_attempt_ms) FROM jobs WHERE state = 0 AND next_attempt_ms <= ? "
                              "GROUP BY domain ORDER BY next_attempt_ms, rowid LIMIT ?"),
        next_due_(*db_, "SELECT MIN(next_attempt_ms) FROM jobs WHERE state = 0"),
        update_job_(*db_,
                    "UPDATE jobs SET state = ?, attempts = ?, next_attempt_ms = ?, reason = ?, decided_at_ms = ? "
                    "WHERE event_id = ?"),
        insert_status_(*db_,
                       "INSERT INTO status_outbox (topic, key, value, headers, created_at_ms) VALUES (?, ?, ?, ?, ?)"),
        select_state_(*db_, "SELECT state FROM jobs WHERE event_id = ?"),
        first_pending_(*db_, "SELECT MIN(topic_offset) FROM jobs WHERE state = 0 AND topic_partition = ?"),
        pending_count_(*db_, "SELECT COUNT(*) FROM jobs WHERE state = 0"),
        select_unsent_(*db_,
                       // NULL partition: status events go where the producer's partitioner puts their key.
                       "SELECT id, topic, NULL, key, value, headers FROM status_outbox "
                       "WHERE sent_at_ms IS NULL AND id > ? ORDER BY id LIMIT ?"),
        mark_sent_(*db_, "UPDATE status_outbox SET sent_at_ms = ? WHERE id BETWEEN ? AND ? AND sent_at_ms IS NULL"),
        unsent_count_(*db_, "SELECT COUNT(*) FROM status_outbox WHERE sent_at_ms IS NULL") {}

  bool accept(const MailJob& job) override {
    try {
      auto& s = bound(insert_job_, job.event_id, job.partition, job.offset);
      bind_bytes(s, 4, job.value);
      s.bind(5, detail::encode_headers(job.headers));
      s.bind(6, job.domain);
      s.bind(7, job.attempts);
      s.bind(8, job.next_attempt_ms);
      s.bind(9, wall_ms());
      return s.exec() == 1;
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error("store: accepting job '" + job.event_id + "' failed: " + e.what());
    }
  }

  std::vector<MailJob> due(std::int64_t now_ms, std::size_t limit) override {
    std::vector<MailJob> jobs;
    auto& q = bound(select_due_, now_ms, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX)));
    while (q.executeStep()) jobs.push_back(read_job(q));
    return jobs;
  }

  std::optional<std::int64_t> next_due_ms() override { return optional_integer(bound(next_due_)); }

  void record_attempt(const std::string& event_id, const AttemptRecord& record) override {
    try {
      SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
      const auto now = wall_ms();
      auto& update =
          bound(update_job_, static_cast<int>(record.state), record.attempts, record.next_attempt_ms, record.reason);
      if (record.state == JobState::Pending) {
        update.bind(5);  // NULL: not decided yet
      } else {
        update.bind(5, now);
      }
      update.bind(6, event_id);
      if (update.exec() != 1) throw std::runtime_error("no job " + event_id);
      if (!record.status.topic.empty()) {
        auto& insert = bound(insert_status_, record.status.topic);
        bind_bytes(insert, 2, record.status.key);
        bind_bytes(insert, 3, record.status.value);
        insert.bind(4, detail::encode_headers(record.status.headers));
        insert.bind(5, now);
        insert.exec();
      }
      tx.commit();
    } catch (const std::exception& e) {
      throw std::runtime_error("store: recording an attempt of job '" + event_id + "' failed: " + e.what());
    }
  }

  std::optional<JobState> state(std::string_view event_id) override {
    auto& q = bound(select_state_, std::string(event_id));
    if (!q.executeStep()) return std::nullopt;
    const auto value = static_cast<JobState>(q.getColumn(0).getInt());
    q.tryReset();
    return value;
  }

  std::optional<std::int64_t> first_pending_offset(std::int32_t partition) override {
    return optional_integer(bound(first_pending_, partition));
  }

  std::int64_t pending_count() override { return optional_integer(bound(pending_count_)).value_or(0); }

  std::vector<outbox::Row> unsent(std::size_t limit, std::int64_t after_id) override {
    return detail::read_outbox_rows(
        bound(select_unsent_, after_id, static_cast<std::int64_t>(std::min<std::size_t>(limit, INT64_MAX))));
  }

  void mark_sent(const std::vector<std::int64_t>& ids) override {
    detail::mark_outbox_sent(*db_, mark_sent_, ids, "status events");
  }

  std::int64_t unsent_count() override { return optional_integer(bound(unsent_count_)).value_or(0); }

  bool in_group() const override { return false; }  // every write is a transaction of its own

  std::int64_t prune(std::int64_t cutoff_ms) override {
    try {
      SQLite::Transaction tx(*db_, SQLite::TransactionBehavior::IMMEDIATE);
      SQLite::Statement jobs(*db_, "DELETE FROM jobs WHERE state != 0 AND decided_at_ms < ?");
      jobs.bind(1, cutoff_ms);
      std::int64_t deleted = jobs.exec();
      SQLite::Statement statuses(*db_, "DELETE FROM status_outbox WHERE sent_at_ms IS NOT NULL AND sent_at_ms < ?");
      statuses.bind(1, cutoff_ms);
      deleted += statuses.exec();
      tx.commit();
      return deleted;
    } catch (const SQLite::Exception& e) {
      throw std::runtime_error(std::string("store: pruning failed: ") + e.what());
    }
  }

 private:
  static std::optional<std::int64_t> optional_integer(SQLite::Statement& q) {
    std::optional<std::int64_t> value;
    if (q.executeStep() && !q.getColumn(0).isNull()) value = q.getColumn(0).getInt64();
    q.tryReset();
    return value;
  }

  std::unique_ptr<SQLite::Database> db_;
  SQLite::Statement insert_job_, select_due_, next_due_, update_job_, insert_status_, select_state_, first_pending_;
  SQLite::Statement pending_count_, select_unsent_, mark_sent_, unsent_count_;
};

}  // namespace

int MailerStore::schema_version() { return static_cast<int>(migrations().size()); }

common::Result<std::unique_ptr<MailerStore>> MailerStore::open(const std::filesystem::path& file) {
  auto opened = detail::open_database(file, migrations());
  if (!opened) return opened.error();
  return std::unique_ptr<MailerStore>(std::make_unique<SqliteMailerStore>(std::move(*opened)));
}

}  // namespace invite::store
