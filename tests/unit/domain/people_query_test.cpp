#include "invite/domain/people_query.hpp"

#include <gtest/gtest.h>

namespace invite::domain {
namespace {

constexpr std::string_view kCaller = "00000000-0000-4000-8000-0000000000c1";

User user(std::string email, std::string first = "", std::string last = "") {
  User u;
  u.id = "00000000-0000-4000-8000-0000000000" + std::to_string(10 + email.size());
  u.email = std::move(email);
  u.first_name = std::move(first);
  u.last_name = std::move(last);
  u.created_by = std::string(kCaller);
  return u;
}

TEST(PeopleQueryDefaults, AskForTheFirstFullPageByDisplayName) {
  const PeopleQuery query;
  EXPECT_EQ(query.count, kMaxPageSize);
  EXPECT_EQ(query.start_index, 0U);
  EXPECT_EQ(query.sort_by, SortBy::DisplayName);
}

TEST(DisplayName, JoinsTheNames) { EXPECT_EQ(display_name(user("a@x.io", "Ann", "Lee")), "Ann Lee"); }

TEST(DisplayName, IsTheEmailWhenTheNamesAreEmpty) { EXPECT_EQ(display_name(user("a@x.io")), "a@x.io"); }

TEST(Matches, AnEmptyFilterMatchesEveryone) { EXPECT_TRUE(matches(PeopleFilter{}, user("a@x.io"), kCaller)); }

TEST(Matches, FiltersByStatus) {
  PeopleFilter filter;
  filter.status = EmployeeStatus::Active;
  EXPECT_FALSE(matches(filter, user("a@x.io"), kCaller));
}

TEST(Matches, FiltersByActivationStatus) {
  PeopleFilter filter;
  filter.activation = ActivationStatus::Pending;
  EXPECT_TRUE(matches(filter, user("a@x.io"), kCaller));
}

TEST(Matches, FiltersByType) {
  PeopleFilter filter;
  filter.type = EmployeeType::RoomAdmin;
  EXPECT_FALSE(matches(filter, user("a@x.io"), kCaller));
}

TEST(Matches, FindsTheTextInTheEmailInAnyCase) {
  PeopleFilter filter;
  filter.text = "ALI";
  EXPECT_TRUE(matches(filter, user("alice@x.io"), kCaller));
}

TEST(Matches, FindsTheTextInTheDisplayName) {
  PeopleFilter filter;
  filter.text = "n l";
  EXPECT_TRUE(matches(filter, user("a@x.io", "Ann", "Lee"), kCaller));
}

TEST(Matches, FiltersByInviter) {
  PeopleFilter filter;
  filter.inviter_id = "00000000-0000-4000-8000-0000000000c2";
  EXPECT_FALSE(matches(filter, user("a@x.io"), kCaller));
}

TEST(Matches, InvitedByMeComparesWithTheCaller) {
  PeopleFilter filter;
  filter.invited_by_me = true;
  EXPECT_FALSE(matches(filter, user("a@x.io"), "00000000-0000-4000-8000-0000000000c2"));
}

TEST(ComesBefore, OrdersByEmailIgnoringCase) {
  PeopleQuery query;
  query.sort_by = SortBy::Email;
  EXPECT_TRUE(comes_before(query, user("Bob@x.io"), user("carol@x.io")));
}

TEST(ComesBefore, DescendingReversesTheKey) {
  PeopleQuery query;
  query.sort_by = SortBy::Email;
  query.sort_order = SortOrder::Descending;
  EXPECT_TRUE(comes_before(query, user("carol@x.io"), user("bob@x.io")));
}

TEST(ComesBefore, OrdersByCreationTime) {
  PeopleQuery query;
  query.sort_by = SortBy::Created;
  auto older = user("z@x.io");
  older.created_at_ms = 1;
  auto newer = user("a@x.io");
  newer.created_at_ms = 2;
  EXPECT_TRUE(comes_before(query, older, newer));
}

TEST(ComesBefore, BreaksTiesById) {
  PeopleQuery query;
  query.sort_by = SortBy::Created;
  auto a = user("a@x.io");
  auto b = user("a@x.io");
  a.id = "1";
  b.id = "2";
  EXPECT_TRUE(comes_before(query, a, b) && !comes_before(query, b, a));
}

}  // namespace
}  // namespace invite::domain
