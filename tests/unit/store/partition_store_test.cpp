#include "invite/store/partition_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using invite::domain::ActivationStatus;
using invite::domain::EmployeeStatus;
using invite::domain::EmployeeType;
using invite::domain::User;
using OutboxRow = invite::common::Message;  // what a request commit writes into the outbox
using invite::store::PartitionStore;
using invite::store::RequestCommit;

namespace {

using invite::testing::TempDir;

std::unique_ptr<PartitionStore> open_ok(const fs::path& file) {
  auto opened = PartitionStore::open(file);
  if (!opened) {
    ADD_FAILURE() << "open failed: " << opened.error().message;
    return nullptr;
  }
  return std::move(*opened);
}

User make_user(std::string id, std::string portal, std::string email, EmployeeType type = EmployeeType::User,
               EmployeeStatus status = EmployeeStatus::Pending) {
  User u;
  u.id = std::move(id);
  u.portal = std::move(portal);
  u.email = email;
  u.first_name = "";
  u.last_name = "";
  u.user_name = email.substr(0, email.find('@'));
  u.type = type;
  u.activation_status = ActivationStatus::Pending;
  u.status = status;
  u.culture = "en-US";
  u.created_by = "00000000-0000-4000-8000-000000000001";
  u.created_at_ms = 1764154800123;
  return u;
}

OutboxRow make_row(std::string topic, std::string value, std::optional<std::int32_t> partition = std::nullopt) {
  OutboxRow r;
  r.topic = std::move(topic);
  r.partition = partition;
  r.key = "k";
  r.value = std::move(value);
  r.headers = {{"correlation-id", "req-1"}, {"traceparent", "00-abc-def-01"}};
  return r;
}

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_.path() / "data" / "partition-0.sqlite";
    store_ = open_ok(file_);
    ASSERT_NE(store_, nullptr);
  }
  TempDir dir_;
  fs::path file_;
  std::unique_ptr<PartitionStore> store_;
};

}  // namespace

TEST(PartitionStoreFiles, NewFileIsMigratedToCurrentVersionAndDirectoriesCreated) {
  TempDir dir;
  const auto file = dir.path() / "a" / "b" / "partition-3.sqlite";
  auto store = open_ok(file);
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(fs::exists(file));
  EXPECT_EQ(store->stored_offset(), std::nullopt);
  EXPECT_EQ(store->unsent_count(), 0);
  store.reset();

  SQLite::Database db(file, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), PartitionStore::schema_version());
  EXPECT_EQ(db.execAndGet("PRAGMA journal_mode").getString(), "wal");
  for (const char* table : {"users", "consumer_offset", "applied_requests", "daily_invitations", "outbox",
                            "rate_windows", "followed_offsets"}) {
    EXPECT_TRUE(db.tableExists(table)) << table;
  }
}

TEST(PartitionStoreFiles, ReopenKeepsDataAndVersion) {
  TempDir dir;
  const auto file = PartitionStore::file_for(dir.path(), 1);
  {
    auto store = open_ok(file);
    ASSERT_NE(store, nullptr);
    RequestCommit c;
    c.request_id = "req-1";
    c.portal = "p.example.com";
    c.create = {make_user("u1", "p.example.com", "Ann@Example.com")};
    c.day = "2026-11-26";
    c.invited = 1;
    c.next_offset = 42;
    store->apply(c);
  }
  auto store = open_ok(file);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->stored_offset(), 42);
  EXPECT_TRUE(store->request_applied("req-1"));
  EXPECT_EQ(store->users(std::nullopt).size(), 1u);
  store.reset();
  SQLite::Database db(file, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), PartitionStore::schema_version());
}

TEST(PartitionStoreFiles, MigratingAVersion1FileKeepsItsUsersAndMakesTheirFirstLinkTheNewest) {
  TempDir dir;
  const auto file = dir.path() / "partition-0.sqlite";
  {
    // A file as version 1 left it in the field (its schema, as released), with one user and an offset.
    SQLite::Database db(file, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
    db.exec(R"sql(
      CREATE TABLE users (
        id TEXT PRIMARY KEY, portal TEXT NOT NULL, email TEXT NOT NULL, email_lower TEXT NOT NULL,
        first_name TEXT NOT NULL DEFAULT '', last_name TEXT NOT NULL DEFAULT '', user_name TEXT NOT NULL DEFAULT '',
        type INTEGER NOT NULL, activation_status INTEGER NOT NULL, status INTEGER NOT NULL,
        culture TEXT NOT NULL DEFAULT '', created_by TEXT NOT NULL DEFAULT '', created_at_ms INTEGER NOT NULL,
        UNIQUE (portal, email_lower));
      CREATE TABLE consumer_offset (id INTEGER PRIMARY KEY CHECK (id = 1), next_offset INTEGER NOT NULL);
      CREATE TABLE applied_requests (request_id TEXT PRIMARY KEY, applied_at_ms INTEGER NOT NULL);
      CREATE TABLE daily_invitations (portal TEXT NOT NULL, day TEXT NOT NULL, count INTEGER NOT NULL,
                                      PRIMARY KEY (portal, day));
      CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, "partition" INTEGER,
                           key BLOB NOT NULL, value BLOB NOT NULL, headers TEXT NOT NULL DEFAULT '[]',
                           created_at_ms INTEGER NOT NULL, sent_at_ms INTEGER);
      CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at_ms IS NULL;
      INSERT INTO users VALUES ('u1', 'p.example.com', 'Ann@Example.com', 'ann@example.com', '', '', 'Ann', 1, 2, 4,
                                'en-US', '00000000-0000-4000-8000-000000000001', 1764154800123);
      INSERT INTO consumer_offset VALUES (1, 42);
      PRAGMA user_version = 1;
    )sql");
  }
  auto store = open_ok(file);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->stored_offset(), 42);
  const auto ann = store->find_person("p.example.com", "ann@example.com");
  ASSERT_TRUE(ann.has_value());
  EXPECT_EQ(ann->user.id, "u1");
  EXPECT_EQ(ann->user.email, "Ann@Example.com");
  EXPECT_EQ(ann->user.type, EmployeeType::RoomAdmin);
  EXPECT_EQ(ann->link_ms(), 1764154800123) << "the first e-mail's link was signed with the creation time";
  EXPECT_EQ(ann->invitation.inviter_id, "00000000-0000-4000-8000-000000000001");
  EXPECT_EQ(ann->invitation.times_resent, 0);
  EXPECT_EQ(ann->invitation.delivery, std::nullopt);
  EXPECT_FALSE(ann->has_password);
  EXPECT_FALSE(ann->spam);
  EXPECT_EQ(ann->activated_at_ms, std::nullopt);
  store.reset();
  SQLite::Database db(file, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("PRAGMA user_version").getInt(), PartitionStore::schema_version());
}

TEST(PartitionStoreFiles, FileFromNewerVersionIsRefused) {
  TempDir dir;
  const auto file = dir.path() / "partition-0.sqlite";
  ASSERT_NE(open_ok(file), nullptr);
  {
    SQLite::Database db(file, SQLite::OPEN_READWRITE);
    db.exec("PRAGMA user_version = " + std::to_string(PartitionStore::schema_version() + 1));
  }
  auto opened = PartitionStore::open(file);
  ASSERT_FALSE(opened.has_value());
  const std::string error = opened.error().message;
  EXPECT_NE(error.find("newer"), std::string::npos) << error;
  EXPECT_NE(error.find(std::to_string(PartitionStore::schema_version() + 1)), std::string::npos) << error;
}

TEST(PartitionStoreFiles, UnopenablePathIsAnError) {
  TempDir dir;
  const auto blocker = dir.path() / "not-a-dir";
  std::ofstream(blocker) << "x";
  auto opened = PartitionStore::open(blocker / "partition-0.sqlite");
  EXPECT_FALSE(opened.has_value());
}

TEST(PartitionStoreFiles, ListFindsPartitionFilesSorted) {
  TempDir dir;
  for (int p : {10, 2, 0}) ASSERT_NE(open_ok(PartitionStore::file_for(dir.path(), p)), nullptr);
  std::ofstream(dir.path() / "partition-x.sqlite") << "";
  std::ofstream(dir.path() / "partition-01.sqlite") << "";
  std::ofstream(dir.path() / "devstack.json") << "{}";
  fs::create_directories(dir.path() / "partition-5.sqlite.d");

  const auto found = PartitionStore::list(dir.path());
  ASSERT_EQ(found.size(), 3u);
  EXPECT_EQ(found[0].first, 0);
  EXPECT_EQ(found[1].first, 2);
  EXPECT_EQ(found[2].first, 10);
  EXPECT_EQ(found[2].second, PartitionStore::file_for(dir.path(), 10));
  EXPECT_TRUE(PartitionStore::list(dir.path() / "missing").empty());
}

TEST_F(StoreTest, ApplyIsAtomicWhenAUserViolatesUniqueness) {
  RequestCommit first;
  first.request_id = "req-1";
  first.portal = "p.example.com";
  first.create = {make_user("u1", "p.example.com", "ann@example.com")};
  first.day = "2026-11-26";
  first.invited = 1;
  first.outbox = {make_row("invite.replies.v1", "reply-1", 0)};
  first.next_offset = 1;
  store_->apply(first);

  RequestCommit bad;
  bad.request_id = "req-2";
  bad.portal = "p.example.com";
  // The second user collides with u1 on (portal, lower-cased e-mail).
  bad.create = {make_user("u2", "p.example.com", "bob@example.com"),
                make_user("u3", "p.example.com", "ANN@example.com")};
  bad.day = "2026-11-26";
  bad.invited = 2;
  bad.outbox = {make_row("invite.replies.v1", "reply-2", 0), make_row("invite.emails.v1", "mail")};
  bad.next_offset = 5;
  try {
    store_->apply(bad);
    FAIL() << "apply should have thrown";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("UNIQUE"), std::string::npos) << e.what();
  }

  EXPECT_EQ(store_->stored_offset(), 1);
  EXPECT_FALSE(store_->request_applied("req-2"));
  EXPECT_EQ(store_->invited_on("p.example.com", "2026-11-26"), 1);
  const auto users = store_->users(std::nullopt);
  ASSERT_EQ(users.size(), 1u);
  EXPECT_EQ(users[0].user.id, "u1");
  EXPECT_EQ(store_->unsent_count(), 1);
  const auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].value, "reply-1");

  // The cached statements still work after the failure.
  bad.create.pop_back();
  bad.invited = 1;
  store_->apply(bad);
  EXPECT_EQ(store_->stored_offset(), 5);
  EXPECT_TRUE(store_->request_applied("req-2"));
  EXPECT_EQ(store_->invited_on("p.example.com", "2026-11-26"), 2);
  EXPECT_EQ(store_->unsent_count(), 3);
}

TEST_F(StoreTest, AppliedRequestTwiceIsRejected) {
  RequestCommit c;
  c.request_id = "req-1";
  c.next_offset = 3;
  store_->apply(c);
  c.next_offset = 4;
  EXPECT_THROW(store_->apply(c), std::runtime_error);
  EXPECT_EQ(store_->stored_offset(), 3);
}

TEST_F(StoreTest, OffsetRoundTrip) {
  EXPECT_EQ(store_->stored_offset(), std::nullopt);
  store_->store_offset(0);
  EXPECT_EQ(store_->stored_offset(), 0);
  store_->store_offset(1234567890123);
  EXPECT_EQ(store_->stored_offset(), 1234567890123);
  RequestCommit dlq;  // a DLQ record: no request id, only the offset and an outbox row move
  dlq.outbox = {make_row("invite.requested.v1.dlq", "garbage")};
  dlq.next_offset = 1234567890124;
  store_->apply(dlq);
  EXPECT_EQ(store_->stored_offset(), 1234567890124);
  EXPECT_FALSE(store_->request_applied(""));
}

TEST_F(StoreTest, RequestApplied) {
  EXPECT_FALSE(store_->request_applied("req-1"));
  RequestCommit c;
  c.request_id = "req-1";
  c.next_offset = 1;
  store_->apply(c);
  EXPECT_TRUE(store_->request_applied("req-1"));
  EXPECT_FALSE(store_->request_applied("req-2"));
  EXPECT_FALSE(store_->request_applied("REQ-1"));
}

TEST_F(StoreTest, FindUsersIsCaseInsensitiveAndPerPortal) {
  RequestCommit c;
  c.request_id = "req-1";
  c.portal = "a.example.com";
  const auto ann = make_user("u1", "a.example.com", "Ann.Smith@Example.COM", EmployeeType::RoomAdmin);
  c.create = {ann, make_user("u2", "b.example.com", "bob@example.com")};
  store_->apply(c);

  const auto found =
      store_->find_users("a.example.com", {"ann.smith@example.com", "bob@example.com", "nobody@example.com"});
  ASSERT_EQ(found.size(), 1u);
  ASSERT_EQ(found.count("ann.smith@example.com"), 1u);
  EXPECT_EQ(found.at("ann.smith@example.com"), ann);  // every field round-trips, e-mail case kept
  EXPECT_TRUE(store_->find_users("a.example.com", {}).empty());
  EXPECT_EQ(store_->find_users("b.example.com", {"bob@example.com"}).size(), 1u);
}

TEST_F(StoreTest, RaiseUpdatesTypeById) {
  RequestCommit c;
  c.request_id = "req-1";
  c.portal = "a.example.com";
  auto u = make_user("u1", "a.example.com", "ann@example.com", EmployeeType::User);
  c.create = {u};
  store_->apply(c);
  EXPECT_EQ(store_->paid_seats_in_use("a.example.com"), 0);

  RequestCommit r;
  r.request_id = "req-2";
  u.type = EmployeeType::DocSpaceAdmin;
  r.raise = {u};
  store_->apply(r);
  EXPECT_EQ(store_->find_users("a.example.com", {"ann@example.com"}).at("ann@example.com").type,
            EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(store_->paid_seats_in_use("a.example.com"), 1);

  RequestCommit missing;
  missing.request_id = "req-3";
  missing.raise = {make_user("nope", "a.example.com", "x@example.com", EmployeeType::RoomAdmin)};
  missing.next_offset = 9;
  EXPECT_THROW(store_->apply(missing), std::runtime_error);
  EXPECT_FALSE(store_->request_applied("req-3"));
}

TEST_F(StoreTest, PaidSeatsCountNonTerminatedAdminsOnly) {
  RequestCommit c;
  c.request_id = "req-1";
  c.create = {
      make_user("u1", "a.example.com", "ra@example.com", EmployeeType::RoomAdmin),
      make_user("u2", "a.example.com", "dsa@example.com", EmployeeType::DocSpaceAdmin, EmployeeStatus::Active),
      make_user("u3", "a.example.com", "user@example.com", EmployeeType::User),
      make_user("u4", "a.example.com", "guest@example.com", EmployeeType::Guest),
      make_user("u5", "a.example.com", "gone@example.com", EmployeeType::RoomAdmin, EmployeeStatus::Terminated),
      make_user("u6", "b.example.com", "other@example.com", EmployeeType::RoomAdmin),
  };
  store_->apply(c);
  EXPECT_EQ(store_->paid_seats_in_use("a.example.com"), 2);
  EXPECT_EQ(store_->paid_seats_in_use("b.example.com"), 1);
  EXPECT_EQ(store_->paid_seats_in_use("c.example.com"), 0);
  ASSERT_TRUE(store_->disable_user("a.example.com", "RA@example.com"));
  EXPECT_EQ(store_->paid_seats_in_use("a.example.com"), 1);
}

TEST_F(StoreTest, CountersArePerPortalAndDay) {
  auto add = [&](std::string id, std::string portal, std::string day, std::int64_t n) {
    RequestCommit c;
    c.request_id = std::move(id);
    c.portal = std::move(portal);
    c.day = std::move(day);
    c.invited = n;
    store_->apply(c);
  };
  add("r1", "a.example.com", "2026-11-26", 3);
  add("r2", "a.example.com", "2026-11-26", 2);
  add("r3", "a.example.com", "2026-11-27", 1);
  add("r4", "b.example.com", "2026-11-26", 7);
  add("r5", "b.example.com", "2026-11-26", 0);
  EXPECT_EQ(store_->invited_on("a.example.com", "2026-11-26"), 5);
  EXPECT_EQ(store_->invited_on("a.example.com", "2026-11-27"), 1);
  EXPECT_EQ(store_->invited_on("a.example.com", "2026-11-28"), 0);
  EXPECT_EQ(store_->invited_on("b.example.com", "2026-11-26"), 7);
}

TEST_F(StoreTest, OutboxUnsentInOrderAndMarkSent) {
  RequestCommit c;
  c.request_id = "req-1";
  std::string binary("\x00\xff\x01 not json", 13);
  auto dlq = make_row("invite.requested.v1.dlq", binary);
  dlq.key = std::string("\x00k", 2);
  dlq.headers.emplace_back("dlq-error", "bad byte \xff here");
  c.outbox = {make_row("invite.replies.v1", "r", 4), make_row("invite.emails.v1", "e"), dlq};
  store_->apply(c);
  RequestCommit c2;
  c2.request_id = "req-2";
  c2.outbox = {make_row("people.user-invited.v1", "ev")};
  store_->apply(c2);

  EXPECT_EQ(store_->unsent_count(), 4);
  auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0].topic, "invite.replies.v1");
  EXPECT_EQ(rows[0].partition, 4);
  EXPECT_EQ(rows[0].key, "k");
  EXPECT_EQ(rows[0].headers, make_row("", "").headers);
  EXPECT_EQ(rows[1].topic, "invite.emails.v1");
  EXPECT_EQ(rows[1].partition, std::nullopt);
  EXPECT_EQ(rows[2].value, binary);
  EXPECT_EQ(rows[2].key, dlq.key);
  ASSERT_EQ(rows[2].headers.size(), 3u);
  EXPECT_EQ(rows[2].headers[2].first, "dlq-error");
  EXPECT_EQ(rows[3].topic, "people.user-invited.v1");
  for (std::size_t i = 1; i < rows.size(); ++i) EXPECT_LT(rows[i - 1].id, rows[i].id);

  // after_id skips what a relay already took: only rows above it, still oldest first.
  const auto after_first = store_->unsent(10, rows[0].id);
  ASSERT_EQ(after_first.size(), 3u);
  EXPECT_EQ(after_first[0].id, rows[1].id);
  EXPECT_TRUE(store_->unsent(10, rows[3].id).empty());

  const auto first_two = store_->unsent(2);
  ASSERT_EQ(first_two.size(), 2u);
  EXPECT_EQ(first_two[0].id, rows[0].id);

  store_->mark_sent({rows[0].id, rows[2].id});
  EXPECT_EQ(store_->unsent_count(), 2);
  rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].topic, "invite.emails.v1");
  EXPECT_EQ(rows[1].topic, "people.user-invited.v1");
  store_->mark_sent({});
  store_->mark_sent({rows[0].id, rows[1].id, 999999});
  EXPECT_EQ(store_->unsent_count(), 0);
  EXPECT_TRUE(store_->unsent(10).empty());
}

// Acknowledgements arrive in any order, some twice: every acknowledged row is marked, and a row in a gap between
// acknowledged ones stays unsent (marks go by runs of consecutive ids).
TEST_F(StoreTest, MarkSentByAnyOrderLeavesTheGapsUnsent) {
  RequestCommit c;
  c.request_id = "req-1";
  for (int i = 0; i < 7; ++i) c.outbox.push_back(make_row("invite.emails.v1", "e" + std::to_string(i)));
  store_->apply(c);
  const auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 7u);

  store_->mark_sent({rows[5].id, rows[0].id, rows[1].id, rows[3].id, rows[1].id, rows[4].id});
  const auto left = store_->unsent(10);
  ASSERT_EQ(left.size(), 2u);
  EXPECT_EQ(left[0].id, rows[2].id);
  EXPECT_EQ(left[1].id, rows[6].id);
  EXPECT_EQ(store_->unsent_count(), 2);
}

TEST_F(StoreTest, UsersOrderedByPortalThenEmailAndDisable) {
  RequestCommit c;
  c.request_id = "req-1";
  c.create = {make_user("u1", "b.example.com", "zed@example.com"), make_user("u2", "a.example.com", "Mia@example.com"),
              make_user("u3", "a.example.com", "bob@example.com"), make_user("u4", "a.example.com", "zoe@example.com")};
  store_->apply(c);

  auto all = store_->users(std::nullopt);
  ASSERT_EQ(all.size(), 4u);
  EXPECT_EQ(all[0].user.email, "bob@example.com");
  EXPECT_EQ(all[1].user.email, "Mia@example.com");
  EXPECT_EQ(all[2].user.email, "zoe@example.com");
  EXPECT_EQ(all[3].user.email, "zed@example.com");
  EXPECT_EQ(store_->users(std::string_view("b.example.com")).size(), 1u);
  EXPECT_TRUE(store_->users(std::string_view("c.example.com")).empty());

  EXPECT_TRUE(store_->disable_user("a.example.com", "MIA@EXAMPLE.COM"));
  EXPECT_FALSE(store_->disable_user("b.example.com", "mia@example.com"));
  EXPECT_FALSE(store_->disable_user("a.example.com", "nobody@example.com"));
  const auto mia = store_->find_users("a.example.com", {"mia@example.com"}).at("mia@example.com");
  EXPECT_EQ(mia.status, EmployeeStatus::Terminated);
  EXPECT_EQ(store_->find_users("a.example.com", {"bob@example.com"}).at("bob@example.com").status,
            EmployeeStatus::Pending);
}

TEST_F(StoreTest, SecondConnectionSeesCommittedWrites) {
  // invitectl writes the worker's file through its own connection; both must see each other's commits.
  auto other = open_ok(file_);
  ASSERT_NE(other, nullptr);
  RequestCommit c;
  c.request_id = "req-1";
  c.create = {make_user("u1", "a.example.com", "ann@example.com", EmployeeType::RoomAdmin)};
  store_->apply(c);
  EXPECT_TRUE(other->disable_user("a.example.com", "ann@example.com"));
  EXPECT_EQ(store_->find_users("a.example.com", {"ann@example.com"}).at("ann@example.com").status,
            EmployeeStatus::Terminated);
}

TEST_F(StoreTest, PruneDeletesOnlyOldSentRowsAppliedIdsAndCounters) {
  RequestCommit c;
  c.request_id = "old-request";
  c.portal = "p";
  c.day = "2000-01-01";
  c.invited = 3;
  c.outbox = {make_row("invite.replies.v1", "sent"), make_row("invite.emails.v1", "unsent")};
  store_->apply(c);
  const auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 2u);
  store_->mark_sent({rows[0].id});

  // A cutoff before everything deletes nothing.
  EXPECT_EQ(store_->prune(0), 0);
  EXPECT_TRUE(store_->request_applied("old-request"));
  EXPECT_EQ(store_->invited_on("p", "2000-01-01"), 3);

  // A cutoff after everything deletes the sent row, the request id and the old counter, never an unsent row.
  const auto later = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch() + std::chrono::hours(1))
                         .count();
  EXPECT_EQ(store_->prune(later), 3);
  EXPECT_FALSE(store_->request_applied("old-request"));
  EXPECT_EQ(store_->invited_on("p", "2000-01-01"), 0);
  ASSERT_EQ(store_->unsent_count(), 1);
  EXPECT_EQ(store_->unsent(10).at(0).value, "unsent");
}

// ---- group commit ----

namespace {

RequestCommit one_user_request(std::string request_id, std::string user_id, std::string email,
                               std::int64_t next_offset) {
  RequestCommit c;
  c.request_id = std::move(request_id);
  c.portal = "p.example.com";
  c.create = {make_user(std::move(user_id), "p.example.com", std::move(email))};
  c.day = "2026-11-26";
  c.invited = 1;
  c.outbox = {make_row("invite.replies.v1", "reply-" + c.request_id, 0)};
  c.next_offset = next_offset;
  return c;
}

}  // namespace

TEST_F(StoreTest, GroupIsInvisibleToOtherConnectionsUntilCommittedAndSeenByItsOwnReads) {
  auto other = open_ok(file_);
  ASSERT_NE(other, nullptr);
  store_->begin_group();
  EXPECT_TRUE(store_->in_group());
  store_->apply(one_user_request("req-1", "u1", "ann@example.com", 1));
  store_->apply(one_user_request("req-2", "u2", "bob@example.com", 2));

  // The worker decides the group's later requests from what its earlier ones wrote.
  EXPECT_TRUE(store_->request_applied("req-1"));
  EXPECT_EQ(store_->find_users("p.example.com", {"ann@example.com"}).size(), 1u);
  EXPECT_EQ(store_->invited_on("p.example.com", "2026-11-26"), 2);
  // Nobody else sees a request before the group is durable, so no reply can be relayed before that either.
  EXPECT_FALSE(other->request_applied("req-1"));
  EXPECT_EQ(other->stored_offset(), std::nullopt);
  EXPECT_EQ(other->unsent_count(), 0);

  store_->commit_group();
  EXPECT_FALSE(store_->in_group());
  EXPECT_TRUE(other->request_applied("req-1"));
  EXPECT_TRUE(other->request_applied("req-2"));
  EXPECT_EQ(other->stored_offset(), 2);
  EXPECT_EQ(other->unsent_count(), 2);
  EXPECT_EQ(other->users(std::nullopt).size(), 2u);
}

TEST_F(StoreTest, AFailingRequestRollsItsWholeGroupBack) {
  store_->apply(one_user_request("req-0", "u0", "zoe@example.com", 1));
  store_->begin_group();
  store_->apply(one_user_request("req-1", "u1", "ann@example.com", 2));
  // Collides with req-1's user: the store cannot commit req-1 without a decision the worker made after it.
  EXPECT_THROW(store_->apply(one_user_request("req-2", "u2", "ANN@example.com", 3)), std::runtime_error);
  EXPECT_FALSE(store_->in_group());

  EXPECT_EQ(store_->stored_offset(), 1);
  EXPECT_FALSE(store_->request_applied("req-1"));
  EXPECT_FALSE(store_->request_applied("req-2"));
  EXPECT_EQ(store_->users(std::nullopt).size(), 1u);
  EXPECT_EQ(store_->unsent_count(), 1);
  EXPECT_EQ(store_->invited_on("p.example.com", "2026-11-26"), 1);

  // The store is usable afterwards, in a group or not.
  store_->begin_group();
  store_->apply(one_user_request("req-1", "u1", "ann@example.com", 2));
  store_->store_offset(7);
  store_->commit_group();
  EXPECT_EQ(store_->stored_offset(), 7);
  EXPECT_TRUE(store_->request_applied("req-1"));
}

TEST_F(StoreTest, AGroupNeverCommittedLeavesNothingBehind) {
  {
    auto crashing = open_ok(file_);
    ASSERT_NE(crashing, nullptr);
    crashing->begin_group();
    crashing->apply(one_user_request("req-1", "u1", "ann@example.com", 1));
    // Closed with the group open, as a worker killed mid-group would leave it.
  }
  EXPECT_FALSE(store_->request_applied("req-1"));
  EXPECT_EQ(store_->stored_offset(), std::nullopt);
  EXPECT_EQ(store_->unsent_count(), 0);
}

TEST_F(StoreTest, MarkingSentSurvivesReopeningTheFile) {
  store_->apply(one_user_request("req-1", "u1", "ann@example.com", 1));
  const auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 1u);
  store_->mark_sent({rows[0].id});
  store_->apply(one_user_request("req-2", "u2", "bob@example.com", 2));  // a FULL commit after the unsynced mark
  store_.reset();
  store_ = open_ok(file_);
  ASSERT_NE(store_, nullptr);
  const auto left = store_->unsent(10);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].value, "reply-req-2");
}

TEST_F(StoreTest, MarksJoinAnOpenGroupAndCommitWithIt) {
  auto other = open_ok(file_);
  ASSERT_NE(other, nullptr);
  store_->apply(one_user_request("req-1", "u1", "ann@example.com", 1));
  const auto rows = store_->unsent(10);
  ASSERT_EQ(rows.size(), 1u);

  store_->begin_group();
  store_->mark_sent({rows[0].id});
  store_->apply(one_user_request("req-2", "u2", "bob@example.com", 2));
  EXPECT_EQ(other->unsent_count(), 1) << "the mark is part of the group, not committed on its own";
  store_->commit_group();
  const auto left = other->unsent(10);
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].value, "reply-req-2");
}
