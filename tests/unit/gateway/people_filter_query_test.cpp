#include "people_filter_query.hpp"

#include <gtest/gtest.h>

namespace invite::gateway {
namespace {

using domain::ActivationStatus;
using domain::EmployeeStatus;
using domain::PeopleQuery;

std::string first_message(const boost::system::result<PeopleQuery, ValidationErrors>& result) {
  if (result) return "";
  return result.error().errors.front().second.front();
}

TEST(ParsePeopleFilterQuery, GivesTheDefaultsForAnEmptyQuery) {
  EXPECT_EQ(parse_people_filter_query("").value(), PeopleQuery{});
}

TEST(ParsePeopleFilterQuery, ReadsThePendingFilterAsANumber) {
  EXPECT_EQ(parse_people_filter_query("employeeStatus=4").value().filter.status, EmployeeStatus::Pending);
}

TEST(ParsePeopleFilterQuery, ReadsAStatusByName) {
  EXPECT_EQ(parse_people_filter_query("activationstatus=pending").value().filter.activation, ActivationStatus::Pending);
}

TEST(ParsePeopleFilterQuery, ReadsTheTextFilterDecoded) {
  EXPECT_EQ(parse_people_filter_query("filterValue=ann+lee%40x").value().filter.text, "ann lee@x");
}

TEST(ParsePeopleFilterQuery, ReadsInvitedByMe) {
  EXPECT_TRUE(parse_people_filter_query("invitedByMe=True").value().filter.invited_by_me);
}

TEST(ParsePeopleFilterQuery, ReadsTheInviterInLowerCase) {
  EXPECT_EQ(parse_people_filter_query("inviterId=6F1E2D3C-0000-4000-8000-000000000001").value().filter.inviter_id,
            "6f1e2d3c-0000-4000-8000-000000000001");
}

TEST(ParsePeopleFilterQuery, TreatsEmployeeTypeAllAsNoFilter) {
  EXPECT_EQ(parse_people_filter_query("employeeType=0").value().filter.type, std::nullopt);
}

TEST(ParsePeopleFilterQuery, ReadsThePage) {
  const auto query = parse_people_filter_query("startIndex=20&count=10").value();
  EXPECT_EQ(query.start_index, 20U);
  EXPECT_EQ(query.count, 10U);
}

TEST(ParsePeopleFilterQuery, ClampsTheCountToOneHundred) {
  EXPECT_EQ(parse_people_filter_query("count=1000").value().count, domain::kMaxPageSize);
}

TEST(ParsePeopleFilterQuery, RefusesACountOfZero) {
  EXPECT_EQ(first_message(parse_people_filter_query("count=0")), "The value '0' is not valid for count.");
}

TEST(ParsePeopleFilterQuery, RefusesANegativeStartIndex) {
  EXPECT_EQ(first_message(parse_people_filter_query("startIndex=-1")), "The value '-1' is not valid for startIndex.");
}

TEST(ParsePeopleFilterQuery, ReadsTheSort) {
  const auto query = parse_people_filter_query("sortBy=created&sortOrder=descending").value();
  EXPECT_EQ(query.sort_by, domain::SortBy::Created);
  EXPECT_EQ(query.sort_order, domain::SortOrder::Descending);
}

TEST(ParsePeopleFilterQuery, ReadsDocSpacesRegistrationDateKeyInAnyCase) {
  EXPECT_EQ(parse_people_filter_query("sortBy=RegistrationDate").value().sort_by, domain::SortBy::Created);
}

TEST(ParsePeopleFilterQuery, SortsByDisplayNameForEveryOtherKey) {
  for (const char* key : {"displayname", "firstname", "lastname", "type", "department", "usedspace"}) {
    EXPECT_EQ(parse_people_filter_query(std::string("sortBy=") + key).value().sort_by, domain::SortBy::DisplayName)
        << key;
  }
}

TEST(ParsePeopleFilterQuery, RefusesAnUnknownStatus) { EXPECT_FALSE(parse_people_filter_query("employeeStatus=3")); }

TEST(ParsePeopleFilterQuery, RefusesAParameterGivenTwice) {
  EXPECT_FALSE(parse_people_filter_query("count=10&Count=20"));
}

TEST(ParsePeopleFilterQuery, RefusesAnOverlongTextFilter) {
  EXPECT_FALSE(parse_people_filter_query("filterValue=" + std::string(256, 'a')));
}

TEST(ParsePeopleFilterQuery, BoundsTheEchoedValue) {
  EXPECT_LT(first_message(parse_people_filter_query("sortOrder=" + std::string(1000, 'a'))).size(), 120U);
}

TEST(ParsePeopleFilterQuery, IgnoresUnknownParameters) { EXPECT_TRUE(parse_people_filter_query("fields=id,email")); }

}  // namespace
}  // namespace invite::gateway
