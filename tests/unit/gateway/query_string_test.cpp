#include "query_string.hpp"

#include <gtest/gtest.h>

namespace invite::gateway {
namespace {

using Parameters = std::vector<QueryParameter>;

TEST(ParseQueryString, SplitsPairs) {
  EXPECT_EQ(parse_query_string("a=1&b=2", 10).value(), (Parameters{{"a", "1"}, {"b", "2"}}));
}

TEST(ParseQueryString, DecodesPercentEscapes) {
  EXPECT_EQ(parse_query_string("key=1.ab%2Bc%3D", 10).value(), (Parameters{{"key", "1.ab+c="}}));
}

TEST(ParseQueryString, ReadsPlusAsASpace) {
  EXPECT_EQ(parse_query_string("q=ann+lee", 10).value(), (Parameters{{"q", "ann lee"}}));
}

TEST(ParseQueryString, SkipsOneLeadingQuestionMark) {
  EXPECT_EQ(parse_query_string("?a=1", 10).value(), (Parameters{{"a", "1"}}));
}

TEST(ParseQueryString, ReadsANameWithoutValueAsEmpty) {
  EXPECT_EQ(parse_query_string("a", 10).value(), (Parameters{{"a", ""}}));
}

TEST(ParseQueryString, SkipsEmptyPairs) {
  EXPECT_EQ(parse_query_string("a=1&&b=2", 10).value(), (Parameters{{"a", "1"}, {"b", "2"}}));
}

TEST(ParseQueryString, RefusesAMalformedEscape) { EXPECT_FALSE(parse_query_string("a=%zz", 10)); }

TEST(ParseQueryString, RefusesATruncatedEscape) { EXPECT_FALSE(parse_query_string("a=%4", 10)); }

TEST(ParseQueryString, RefusesAnEncodedNul) { EXPECT_FALSE(parse_query_string("a=x%00y", 10)); }

TEST(ParseQueryString, RefusesAnEncodedLineBreak) { EXPECT_FALSE(parse_query_string("a=x%0D%0Ay", 10)); }

TEST(ParseQueryString, RefusesMoreThanTheMaximumOfParameters) { EXPECT_FALSE(parse_query_string("a=1&b=2&c=3", 2)); }

TEST(ParseQueryString, ReadsAnEmptyViewWithoutData) {
  EXPECT_EQ(parse_query_string(std::string_view(), 10).value(), Parameters{});
}

TEST(ParseQueryString, ReadsOnlyTheViewOfALongerText) {
  const std::string text = "a=1&b=2";
  EXPECT_EQ(parse_query_string(std::string_view(text).substr(0, 3), 10).value(), (Parameters{{"a", "1"}}));
}

}  // namespace
}  // namespace invite::gateway
