// The partition store's part of the invitation's life (issue 13): PeopleStore's reads and RequestCommit's
// lifecycle changes.
#include "invite/store/people_store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "invite/domain/lifecycle.hpp"
#include "invite/domain/people_query.hpp"
#include "invite/store/partition_store.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using invite::domain::ActivationStatus;
using invite::domain::Delivery;
using invite::domain::DeliveryStatus;
using invite::domain::EmployeeStatus;
using invite::domain::EmployeeType;
using invite::domain::PeopleQuery;
using invite::domain::RateWindow;
using invite::domain::SortBy;
using invite::domain::SortOrder;
using invite::domain::User;
using invite::store::DeliveryOutcome;
using invite::store::FollowedOffset;
using invite::store::PartitionStore;
using invite::store::RateWindowUpdate;
using invite::store::ReissuedLink;
using invite::store::RequestCommit;
using invite::store::StoredPerson;
using invite::store::UserActivation;

namespace {

using invite::testing::TempDir;

constexpr const char* kPortal = "a.example.com";
constexpr const char* kOther = "b.example.com";
constexpr const char* kInviter = "00000000-0000-4000-8000-000000000001";
constexpr const char* kResender = "00000000-0000-4000-8000-000000000002";
constexpr std::int64_t kCreatedMs = 1764154800123;

User make_user(std::string id, std::string portal, std::string email, std::int64_t created_at_ms = kCreatedMs) {
  User u;
  u.id = std::move(id);
  u.portal = std::move(portal);
  u.email = email;
  u.user_name = email.substr(0, email.find('@'));
  u.type = EmployeeType::User;
  u.activation_status = ActivationStatus::Pending;
  u.status = EmployeeStatus::Pending;
  u.culture = "en-US";
  u.created_by = kInviter;
  u.created_at_ms = created_at_ms;
  return u;
}

UserActivation make_activation(std::string user_id) {
  UserActivation a;
  a.user_id = std::move(user_id);
  a.first_name = "Ann";
  a.last_name = "Smith";
  a.culture = "de-DE";
  a.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g";
  a.spam = true;
  a.activated_at_ms = kCreatedMs + 60'000;
  return a;
}

DeliveryOutcome outcome(std::string user_id, DeliveryStatus status, std::int64_t at_ms, std::string job = "job-1",
                        std::string reason = "") {
  DeliveryOutcome d;
  d.user_id = std::move(user_id);
  d.status = status;
  d.reason = std::move(reason);
  d.at_ms = at_ms;
  d.job_event_id = std::move(job);
  return d;
}

class PeopleStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_.path() / "partition-0.sqlite";
    auto opened = PartitionStore::open(file_);
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    store_ = std::move(*opened);
  }

  // A commit of kPortal with nothing else in it.
  static RequestCommit commit(std::string portal = kPortal) {
    RequestCommit c;
    c.portal = std::move(portal);
    c.next_offset = 1;
    return c;
  }

  void create(std::vector<User> users) {
    RequestCommit c = commit(users.empty() ? kPortal : users.front().portal);
    c.create = std::move(users);
    store_->apply(c);
  }

  void apply(const RequestCommit& c) { store_->apply(c); }

  StoredPerson person(const std::string& id, const std::string& portal = kPortal) {
    auto found = store_->find_people(portal, {id});
    if (found.size() != 1) {
      ADD_FAILURE() << "no user " << id << " on " << portal;
      return {};
    }
    return found.front();
  }

  std::optional<Delivery> delivery_of(const std::string& id) { return person(id).invitation.delivery; }

  TempDir dir_;
  fs::path file_;
  std::unique_ptr<PartitionStore> store_;
};

}  // namespace

// ---- reads ----

TEST_F(PeopleStoreTest, ANewUsersNewestLinkIsItsCreation) {
  create({make_user("u1", kPortal, "ann@example.com")});
  const auto p = person("u1");
  EXPECT_EQ(p.link_ms(), kCreatedMs);
  EXPECT_EQ(p.invitation.inviter_id, kInviter);
  EXPECT_EQ(p.invitation.times_resent, 0);
  EXPECT_EQ(p.invitation.delivery, std::nullopt);
  EXPECT_FALSE(p.invitation.delivery.has_value());
  EXPECT_FALSE(p.has_password);
  EXPECT_FALSE(p.spam);
  EXPECT_EQ(p.activated_at_ms, std::nullopt);
}

TEST_F(PeopleStoreTest, LinkedGivesTheConfirmCheckTheNewestLinkAndItsInviter) {
  const auto u = make_user("u1", kPortal, "ann@example.com");
  create({u});
  const auto linked = person("u1").linked();
  EXPECT_EQ(linked.user, u);
  EXPECT_EQ(linked.current_link_ms, kCreatedMs);
  EXPECT_EQ(linked.current_link_inviter_id, kInviter);
}

TEST_F(PeopleStoreTest, FindPersonIsByPortalAndLowerCaseEmail) {
  const auto ann = make_user("u1", kPortal, "Ann.Smith@Example.COM");
  create({ann});
  const auto found = store_->find_person(kPortal, "ann.smith@example.com");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->user, ann);  // every field round-trips, the e-mail's case kept
  EXPECT_EQ(store_->find_person(kOther, "ann.smith@example.com"), std::nullopt);
  EXPECT_EQ(store_->find_person(kPortal, "nobody@example.com"), std::nullopt);
}

TEST_F(PeopleStoreTest, FindPeopleKeepsTheOrderOfIdsAndLeavesUnknownOnesOut) {
  create({make_user("u1", kPortal, "ann@example.com"), make_user("u2", kPortal, "bob@example.com"),
          make_user("u3", kPortal, "cat@example.com")});
  create({make_user("o1", kOther, "ann@example.com")});
  const auto found = store_->find_people(kPortal, {"u3", "nope", "o1", "u1", "u3"});
  ASSERT_EQ(found.size(), 2u);  // o1 is another portal's; u3 given twice appears once
  EXPECT_EQ(found[0].user.id, "u3");
  EXPECT_EQ(found[1].user.id, "u1");
  EXPECT_TRUE(store_->find_people(kPortal, {}).empty());
}

TEST_F(PeopleStoreTest, PendingPeopleAreThePortalsPendingUsersOldestFirst) {
  auto active = make_user("u1", kPortal, "active@example.com", 1);
  active.status = EmployeeStatus::Active;
  active.activation_status = ActivationStatus::Activated;
  auto disabled = make_user("u2", kPortal, "disabled@example.com", 2);
  disabled.status = EmployeeStatus::Terminated;
  create({make_user("u5", kPortal, "late@example.com", 30), active, disabled,
          make_user("u4", kPortal, "tie-b@example.com", 20), make_user("u3", kPortal, "tie-a@example.com", 20)});
  create({make_user("o1", kOther, "other@example.com", 10)});

  const auto pending = store_->pending_people(kPortal);
  std::vector<std::string> ids;
  for (const auto& p : pending) ids.push_back(p.user.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"u3", "u4", "u5"}));
  for (const auto& p : pending) EXPECT_TRUE(invite::domain::is_pending(p.user)) << p.user.id;
}

TEST_F(PeopleStoreTest, RateWindowIsFreshUntilOneIsStored) {
  EXPECT_EQ(store_->rate_window(kPortal, kInviter), RateWindow{});
}

TEST_F(PeopleStoreTest, RateWindowIsStoredPerPortalAndCaller) {
  auto c = commit();
  c.rate_window = RateWindowUpdate{kInviter, RateWindow{1000, 3}};
  apply(c);
  EXPECT_EQ(store_->rate_window(kPortal, kInviter), (RateWindow{1000, 3}));
  EXPECT_EQ(store_->rate_window(kOther, kInviter), RateWindow{});
  EXPECT_EQ(store_->rate_window(kPortal, kResender), RateWindow{});
}

TEST_F(PeopleStoreTest, RateWindowUpdateReplacesTheStoredWindow) {
  auto c = commit();
  c.rate_window = RateWindowUpdate{kInviter, RateWindow{1000, 3}};
  apply(c);
  c.rate_window = RateWindowUpdate{kInviter, RateWindow{900'000, 1}};
  apply(c);
  EXPECT_EQ(store_->rate_window(kPortal, kInviter), (RateWindow{900'000, 1}));
}

TEST_F(PeopleStoreTest, FollowedOffsetIsUnknownUntilStored) {
  EXPECT_EQ(store_->followed_offset("invite.email-status.v1", 0), std::nullopt);
}

TEST_F(PeopleStoreTest, FollowedOffsetsAreStoredPerTopicAndPartitionWithTheCommit) {
  auto c = commit();
  c.followed = {{"invite.email-status.v1", 0, 17}, {"invite.email-status.v1", 3, 5}};
  apply(c);
  c.followed = {{"invite.email-status.v1", 0, 18}};
  apply(c);
  EXPECT_EQ(store_->followed_offset("invite.email-status.v1", 0), 18);
  EXPECT_EQ(store_->followed_offset("invite.email-status.v1", 3), 5);
  EXPECT_EQ(store_->followed_offset("invite.email-status.v1", 1), std::nullopt);
  EXPECT_EQ(store_->followed_offset("other.topic", 0), std::nullopt);
}

// ---- writes ----

TEST_F(PeopleStoreTest, ActivationMakesTheUserActiveWithTheAcceptsValues) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.activate = {make_activation("u1")};
  apply(c);
  const auto p = person("u1");
  EXPECT_EQ(p.user.status, EmployeeStatus::Active);
  EXPECT_EQ(p.user.activation_status, ActivationStatus::Activated);
  EXPECT_EQ(p.user.first_name, "Ann");
  EXPECT_EQ(p.user.last_name, "Smith");
  EXPECT_EQ(p.user.culture, "de-DE");
  EXPECT_TRUE(p.has_password);
  EXPECT_TRUE(p.spam);
  EXPECT_EQ(p.activated_at_ms, kCreatedMs + 60'000);
}

TEST_F(PeopleStoreTest, ThePasswordHashIsStoredAsGiven) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.activate = {make_activation("u1")};
  apply(c);
  SQLite::Database db(file_, SQLite::OPEN_READONLY);
  EXPECT_EQ(db.execAndGet("SELECT password_hash FROM users WHERE id = 'u1'").getString(),
            make_activation("u1").password_hash);
}

TEST_F(PeopleStoreTest, AReissuedLinkBecomesTheNewestAndCountsAResend) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.reissue = {ReissuedLink{"u1", kCreatedMs + 1000, kResender, "job-2"}};
  apply(c);
  c.reissue = {ReissuedLink{"u1", kCreatedMs + 2000, kInviter, "job-3"}};
  apply(c);
  const auto p = person("u1");
  EXPECT_EQ(p.link_ms(), kCreatedMs + 2000);
  EXPECT_EQ(p.invitation.inviter_id, kInviter);
  EXPECT_EQ(p.invitation.times_resent, 2);
  EXPECT_EQ(p.user.created_at_ms, kCreatedMs) << "the user's own creation stays";
  EXPECT_EQ(p.user.created_by, kInviter);
}

TEST_F(PeopleStoreTest, AReissuedLinkClearsTheDeliveryOutcome) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.deliveries = {outcome("u1", DeliveryStatus::Failed, kCreatedMs + 10, "job-1", "550 no such user")};
  apply(c);
  ASSERT_TRUE(delivery_of("u1").has_value());
  c.deliveries.clear();
  c.reissue = {ReissuedLink{"u1", kCreatedMs + 1000, kResender, "job-2"}};
  apply(c);
  EXPECT_EQ(delivery_of("u1"), std::nullopt);
  EXPECT_FALSE(person("u1").invitation.delivery.has_value());
}

TEST_F(PeopleStoreTest, DisableTerminatesTheUser) {
  create({make_user("u1", kPortal, "ann@example.com"), make_user("u2", kPortal, "bob@example.com")});
  auto c = commit();
  c.disable = {"u1"};
  apply(c);
  EXPECT_EQ(person("u1").user.status, EmployeeStatus::Terminated);
  EXPECT_EQ(person("u2").user.status, EmployeeStatus::Pending);
}

TEST_F(PeopleStoreTest, DeletionRemovesTheUserSoTheAddressCanBeInvitedAnew) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.remove = {"u1"};
  apply(c);
  EXPECT_EQ(store_->find_person(kPortal, "ann@example.com"), std::nullopt);
  EXPECT_TRUE(store_->find_people(kPortal, {"u1"}).empty());
  create({make_user("u9", kPortal, "Ann@example.com", kCreatedMs + 5)});
  EXPECT_EQ(store_->find_person(kPortal, "ann@example.com")->user.id, "u9");
}

TEST_F(PeopleStoreTest, EveryLifecycleChangeNamingAnotherPortalsUserThrowsAndTouchesNothing) {
  create({make_user("u1", kPortal, "ann@example.com")});
  apply(commit());  // offset 1
  const auto before = person("u1");
  const auto changes = std::vector<std::pair<const char*, std::function<void(RequestCommit&)>>>{
      {"activate", [](RequestCommit& c) { c.activate = {make_activation("u1")}; }},
      {"reissue",
       [](RequestCommit& c) {
         c.reissue = {ReissuedLink{"u1", 5, kResender, "job-2"}};
       }},
      {"disable", [](RequestCommit& c) { c.disable = {"u1"}; }},
      {"remove", [](RequestCommit& c) { c.remove = {"u1"}; }},
  };
  for (const auto& [what, change] : changes) {
    SCOPED_TRACE(what);
    auto c = commit(kOther);
    c.next_offset = 2;
    change(c);
    EXPECT_THROW(store_->apply(c), std::runtime_error);
    EXPECT_EQ(person("u1"), before);
    EXPECT_EQ(store_->stored_offset(), 1);
  }
}

TEST_F(PeopleStoreTest, ALifecycleChangeOfAnUnknownIdThrows) {
  auto c = commit();
  c.disable = {"nobody"};
  try {
    store_->apply(c);
    FAIL() << "apply should have thrown";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("nobody"), std::string::npos) << e.what();
  }
}

TEST_F(PeopleStoreTest, AnEmptyCommitChangesNoUserWindowOrFollowedOffset) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.rate_window = RateWindowUpdate{kInviter, RateWindow{1000, 3}};
  c.followed = {{"invite.email-status.v1", 0, 17}};
  apply(c);
  const auto before = person("u1");

  auto empty = commit();
  empty.request_id = "req-empty";
  empty.next_offset = 9;
  apply(empty);
  EXPECT_EQ(person("u1"), before);
  EXPECT_EQ(store_->rate_window(kPortal, kInviter), (RateWindow{1000, 3}));
  EXPECT_EQ(store_->followed_offset("invite.email-status.v1", 0), 17);
  EXPECT_EQ(store_->stored_offset(), 9);
}

TEST_F(PeopleStoreTest, AFailingCommitLeavesNothingOfItsLifecycleChanges) {
  create({make_user("u1", kPortal, "ann@example.com"), make_user("u2", kPortal, "bob@example.com"),
          make_user("u3", kPortal, "cat@example.com"), make_user("u4", kPortal, "dan@example.com")});
  std::vector<StoredPerson> before;
  for (const char* id : {"u1", "u2", "u3", "u4"}) before.push_back(person(id));

  auto c = commit();
  c.request_id = "req-bad";
  c.activate = {make_activation("u1")};
  c.reissue = {ReissuedLink{"u2", kCreatedMs + 1, kResender, "job-2"}};
  c.disable = {"u3"};
  c.remove = {"u4", "nobody"};  // the last change fails
  c.deliveries = {outcome("u1", DeliveryStatus::Sent, kCreatedMs + 2)};
  c.rate_window = RateWindowUpdate{kInviter, RateWindow{1000, 1}};
  c.followed = {{"invite.email-status.v1", 0, 17}};
  c.next_offset = 5;
  EXPECT_THROW(store_->apply(c), std::runtime_error);

  std::vector<StoredPerson> after;
  for (const char* id : {"u1", "u2", "u3", "u4"}) after.push_back(person(id));
  EXPECT_EQ(after, before);
  EXPECT_EQ(store_->rate_window(kPortal, kInviter), RateWindow{});
  EXPECT_EQ(store_->followed_offset("invite.email-status.v1", 0), std::nullopt);
  EXPECT_FALSE(store_->request_applied("req-bad"));
  EXPECT_EQ(store_->stored_offset(), 1);
}

TEST_F(PeopleStoreTest, AFailingCommitRollsItsGroupBack) {
  create({make_user("u1", kPortal, "ann@example.com")});
  store_->begin_group();
  auto good = commit();
  good.disable = {"u1"};
  good.next_offset = 2;
  store_->apply(good);
  auto bad = commit();
  bad.remove = {"nobody"};
  bad.next_offset = 3;
  EXPECT_THROW(store_->apply(bad), std::runtime_error);
  EXPECT_FALSE(store_->in_group());
  EXPECT_EQ(person("u1").user.status, EmployeeStatus::Pending);
  EXPECT_EQ(store_->stored_offset(), 1);
}

TEST_F(PeopleStoreTest, PruneDeletesEndedRateWindowsOnly) {
  auto c = commit();
  c.rate_window = RateWindowUpdate{kInviter, RateWindow{1000, 3}};
  apply(c);
  c.rate_window = RateWindowUpdate{kResender, RateWindow{5000, 1}};
  apply(c);
  EXPECT_EQ(store_->prune(2000), 1);
  EXPECT_EQ(store_->rate_window(kPortal, kInviter), RateWindow{});
  EXPECT_EQ(store_->rate_window(kPortal, kResender), (RateWindow{5000, 1}));
}

// ---- delivery outcomes: the ordering rule ----

TEST_F(PeopleStoreTest, TheFirstDeliveryOutcomeIsStored) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.deliveries = {outcome("u1", DeliveryStatus::Retrying, kCreatedMs + 10, "job-1", "421 try later")};
  apply(c);
  const auto p = person("u1");
  EXPECT_EQ(p.invitation.delivery, (Delivery{DeliveryStatus::Retrying, "421 try later", kCreatedMs + 10}));
}

TEST_F(PeopleStoreTest, ANewerDeliveryOutcomeReplacesTheStoredOne) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.deliveries = {outcome("u1", DeliveryStatus::Retrying, 10, "job-1", "421 try later")};
  apply(c);
  c.deliveries = {outcome("u1", DeliveryStatus::Sent, 20)};
  apply(c);
  EXPECT_EQ(delivery_of("u1"), (Delivery{DeliveryStatus::Sent, "", 20}));
}

TEST_F(PeopleStoreTest, AnOlderDeliveryOutcomeNeverReplacesANewerOne) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.deliveries = {outcome("u1", DeliveryStatus::Failed, 30, "job-1", "550 no such user")};
  apply(c);
  c.deliveries = {outcome("u1", DeliveryStatus::Retrying, 20, "job-1", "421 try later")};  // arrived late
  apply(c);
  EXPECT_EQ(delivery_of("u1"), (Delivery{DeliveryStatus::Failed, "550 no such user", 30}));
}

TEST_F(PeopleStoreTest, ARedeliveredOutcomeChangesNothing) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.deliveries = {outcome("u1", DeliveryStatus::Sent, 20)};
  apply(c);
  const auto once = person("u1");
  apply(c);
  EXPECT_EQ(person("u1"), once);
}

TEST_F(PeopleStoreTest, AtTheSameMillisecondAFinalOutcomeWinsOverRetrying) {
  create({make_user("u1", kPortal, "ann@example.com"), make_user("u2", kPortal, "bob@example.com")});
  auto c = commit();
  c.deliveries = {outcome("u1", DeliveryStatus::Sent, 20), outcome("u1", DeliveryStatus::Retrying, 20, "job-1", "x"),
                  outcome("u2", DeliveryStatus::Retrying, 20, "job-1", "x"), outcome("u2", DeliveryStatus::Sent, 20)};
  apply(c);
  EXPECT_EQ(delivery_of("u1")->status, DeliveryStatus::Sent);
  EXPECT_EQ(delivery_of("u2")->status, DeliveryStatus::Sent);
}

TEST_F(PeopleStoreTest, AfterAResendOnlyTheNewJobsOutcomesAreKept) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.reissue = {ReissuedLink{"u1", kCreatedMs + 1000, kResender, "job-2"}};
  apply(c);
  c.reissue.clear();
  // The first e-mail's job still retrying after the resend must not speak for the new link.
  c.deliveries = {outcome("u1", DeliveryStatus::Retrying, kCreatedMs + 5000, "job-1", "421 try later")};
  apply(c);
  EXPECT_EQ(delivery_of("u1"), std::nullopt);
  c.deliveries = {outcome("u1", DeliveryStatus::Sent, kCreatedMs + 1500, "job-2")};
  apply(c);
  EXPECT_EQ(delivery_of("u1"), (Delivery{DeliveryStatus::Sent, "", kCreatedMs + 1500}));
}

TEST_F(PeopleStoreTest, ADeliveryOutcomeOfAnUnknownOrOtherPortalsUserIsDropped) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit(kOther);
  c.deliveries = {outcome("u1", DeliveryStatus::Sent, 20), outcome("gone", DeliveryStatus::Sent, 20)};
  EXPECT_NO_THROW(store_->apply(c));
  EXPECT_EQ(delivery_of("u1"), std::nullopt);
}

// ---- the listing ----

namespace {

std::vector<std::string> ids_of(const std::vector<StoredPerson>& people) {
  std::vector<std::string> ids;
  for (const auto& p : people) ids.push_back(p.user.id);
  return ids;
}

// The listing as the pure rules state it: every user of the portal that matches, sorted, then the page.
std::pair<std::vector<std::string>, std::int64_t> listed_in_memory(const std::vector<User>& users,
                                                                   const std::string& portal, const PeopleQuery& query,
                                                                   const std::string& caller) {
  std::vector<User> matching;
  for (const auto& u : users) {
    if (u.portal == portal && invite::domain::matches(query.filter, u, caller)) matching.push_back(u);
  }
  std::sort(matching.begin(), matching.end(),
            [&](const User& a, const User& b) { return invite::domain::comes_before(query, a, b); });
  std::vector<std::string> page;
  for (std::size_t i = query.start_index; i < matching.size() && page.size() < query.count; ++i) {
    page.push_back(matching[i].id);
  }
  return {page, static_cast<std::int64_t>(matching.size())};
}

template <class T>
const T& pick(std::mt19937& rng, const std::vector<T>& from) {
  return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(rng)];
}

}  // namespace

TEST_F(PeopleStoreTest, TheListingEqualsTheInMemoryRulesOverGeneratedUsers) {
  std::mt19937 rng(20261126);
  // Small pools, so that sort keys tie, texts hit several fields, and case and non-ASCII letters meet.
  const std::vector<std::string> firsts = {"", "Ann", "ann", "Bob", "Émile", "émile", "Zoë", " Ann", "O'Neil", "a_b"};
  const std::vector<std::string> lasts = {"", "Smith", "SMITH", "Lee ", "Ärger", "ärger", "x%y"};
  const std::vector<std::string> locals = {"ann", "Ann.Smith", "bob", "ZED", "a_b", "x%y", "lee"};
  const std::vector<std::string> inviters = {kInviter, "00000000-0000-4000-8000-00000000000A",
                                             "00000000-0000-4000-8000-00000000000a", kResender};
  const std::vector<EmployeeType> types = {EmployeeType::RoomAdmin, EmployeeType::Guest, EmployeeType::DocSpaceAdmin,
                                           EmployeeType::User};
  const std::vector<EmployeeStatus> statuses = {EmployeeStatus::Active, EmployeeStatus::Terminated,
                                                EmployeeStatus::Pending};
  const std::vector<ActivationStatus> activations = {ActivationStatus::NotActivated, ActivationStatus::Activated,
                                                     ActivationStatus::Pending, ActivationStatus::AutoGenerated};
  std::vector<User> users;
  for (int i = 0; i < 160; ++i) {
    const std::string portal = i % 8 == 0 ? kOther : kPortal;
    char id[40];
    std::snprintf(id, sizeof id, "%08x-0000-4000-8000-%012d", static_cast<unsigned>(rng()), i);
    auto u = make_user(id, portal, pick(rng, locals) + std::to_string(i) + "@Example.com",
                       1'000 + static_cast<std::int64_t>(rng() % 5));
    u.first_name = pick(rng, firsts);
    u.last_name = pick(rng, lasts);
    u.type = pick(rng, types);
    u.status = pick(rng, statuses);
    u.activation_status = pick(rng, activations);
    u.created_by = pick(rng, inviters);
    users.push_back(u);
  }
  std::vector<User> first_portal, second_portal;
  for (const auto& u : users) (u.portal == kPortal ? first_portal : second_portal).push_back(u);
  create(first_portal);
  create(second_portal);

  const std::vector<std::optional<std::string>> texts = {std::nullopt, "",  "an",       "AN", "n s", "émile", "Ä",
                                                         "%",          "_", "@example", "zz", " ",   "ann1",  "smith"};
  int with_matches = 0;
  for (int round = 0; round < 400; ++round) {
    PeopleQuery q;
    if (rng() % 3 == 0) q.filter.status = pick(rng, statuses);
    if (rng() % 3 == 0) q.filter.activation = pick(rng, activations);
    if (rng() % 3 == 0) q.filter.type = pick(rng, types);
    q.filter.text = pick(rng, texts);
    if (rng() % 4 == 0) q.filter.inviter_id = pick(rng, inviters);
    q.filter.invited_by_me = rng() % 4 == 0;
    q.start_index = rng() % 3 == 0 ? 0 : rng() % 150;
    q.count = 1 + rng() % 100;
    q.sort_by = pick(rng, std::vector<SortBy>{SortBy::Email, SortBy::DisplayName, SortBy::Created});
    q.sort_order = rng() % 2 == 0 ? SortOrder::Ascending : SortOrder::Descending;
    const std::string caller = pick(rng, inviters);
    const std::string portal = rng() % 5 == 0 ? kOther : kPortal;

    const auto page = store_->list_people(portal, q, caller);
    const auto [expected_ids, expected_total] = listed_in_memory(users, portal, q, caller);
    ASSERT_EQ(ids_of(page.people), expected_ids) << "round " << round;
    ASSERT_EQ(page.total, expected_total) << "round " << round;
    with_matches += page.people.size() > 1;
  }
  EXPECT_GT(with_matches, 100) << "the generated queries should mostly find users to order";
}

TEST_F(PeopleStoreTest, TheListingsTotalCountsEveryMatchBeyondThePage) {
  create({make_user("u1", kPortal, "a@example.com"), make_user("u2", kPortal, "b@example.com"),
          make_user("u3", kPortal, "c@example.com")});
  PeopleQuery q;
  q.sort_by = SortBy::Email;
  q.start_index = 1;
  q.count = 1;
  const auto page = store_->list_people(kPortal, q, kInviter);
  EXPECT_EQ(ids_of(page.people), std::vector<std::string>{"u2"});
  EXPECT_EQ(page.total, 3);
}

TEST_F(PeopleStoreTest, TheListingsTextIsPlainTextNotAPattern) {
  create({make_user("u1", kPortal, "a_b@example.com"), make_user("u2", kPortal, "axb@example.com")});
  PeopleQuery q;
  q.filter.text = "a_b";
  EXPECT_EQ(ids_of(store_->list_people(kPortal, q, kInviter).people), std::vector<std::string>{"u1"});
  q.filter.text = "%";
  EXPECT_TRUE(store_->list_people(kPortal, q, kInviter).people.empty());
}

TEST_F(PeopleStoreTest, TheListingShowsOnlyThePortalsUsersWithTheirInvitation) {
  create({make_user("u1", kPortal, "ann@example.com")});
  create({make_user("o1", kOther, "ann@example.com")});
  auto c = commit();
  c.reissue = {ReissuedLink{"u1", kCreatedMs + 1000, kResender, "job-2"}};
  apply(c);
  const auto page = store_->list_people(kPortal, PeopleQuery{}, kInviter);
  ASSERT_EQ(page.people.size(), 1u);
  EXPECT_EQ(page.people[0], person("u1"));
  EXPECT_EQ(page.people[0].invitation.times_resent, 1);
}

TEST_F(PeopleStoreTest, InvitedByMeMeansTheCreatorNotTheLastResender) {
  create({make_user("u1", kPortal, "ann@example.com")});
  auto c = commit();
  c.reissue = {ReissuedLink{"u1", kCreatedMs + 1000, kResender, "job-2"}};
  apply(c);
  PeopleQuery q;
  q.filter.invited_by_me = true;
  EXPECT_EQ(store_->list_people(kPortal, q, kInviter).total, 1);
  EXPECT_EQ(store_->list_people(kPortal, q, kResender).total, 0);
}
