#include "json_binding.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "invite_request.hpp"

namespace invite::gateway {
namespace {

TEST(Member, FindsAPropertyInAnyCase) {
  const auto object = Json::parse(R"({"EncEmail":"x"})");
  EXPECT_EQ(*member(object, "encemail"), "x");
}

TEST(Member, TakesTheLastOfSeveralSpellings) {
  const auto object = Json::parse(R"({"uid":"a","UID":"b"})");
  EXPECT_EQ(*member(object, "uid"), "b");
}

TEST(Member, IsNullForANonObject) { EXPECT_EQ(member(Json::parse("[1]"), "a"), nullptr); }

TEST(IntegerValue, ReadsANumber) { EXPECT_EQ(integer_value(Json(4)), 4); }

TEST(IntegerValue, ReadsANumericString) { EXPECT_EQ(integer_value(Json("1")), 1); }

TEST(IntegerValue, ReadsANegativeNumericString) { EXPECT_EQ(integer_value(Json("-3")), -3); }

TEST(IntegerValue, RefusesAStringWithSpaces) { EXPECT_EQ(integer_value(Json(" 1")), std::nullopt); }

TEST(IntegerValue, RefusesAPlusSign) { EXPECT_EQ(integer_value(Json("+1")), std::nullopt); }

TEST(IntegerValue, RefusesAFraction) { EXPECT_EQ(integer_value(Json(1.5)), std::nullopt); }

TEST(IntegerValue, RefusesABoolean) { EXPECT_EQ(integer_value(Json(true)), std::nullopt); }

TEST(IntegerValue, RefusesANumberBeyondInt64) {
  EXPECT_EQ(integer_value(Json::parse("18446744073709551615")), std::nullopt);
}

TEST(BoolValue, RefusesAStringTrue) { EXPECT_EQ(bool_value(Json("true")), std::nullopt); }

TEST(ParseObjectBody, AcceptsAnObject) {
  Json document;
  ValidationErrors errors;
  EXPECT_TRUE(parse_object_body(R"({"a":1})", document, errors));
}

TEST(ParseObjectBody, RefusesAnArray) {
  Json document;
  ValidationErrors errors;
  EXPECT_FALSE(parse_object_body("[]", document, errors));
}

TEST(ParseObjectBody, RefusesAPropertyGivenTwiceInAnotherCase) {
  Json document;
  ValidationErrors errors;
  ASSERT_FALSE(parse_object_body(R"({"email":"a@b.io","Email":"c@d.io"})", document, errors));
  EXPECT_EQ(errors.errors[0].second[0], "The JSON object contains the property 'Email' more than once.");
}

TEST(ParseObjectBody, RefusesAnExactDuplicateInANestedObject) {
  Json document;
  ValidationErrors errors;
  EXPECT_FALSE(parse_object_body(R"({"a":{"b":1,"b":2}})", document, errors));
}

TEST(ParseObjectBody, AllowsTheSameNameInSiblingObjects) {
  Json document;
  ValidationErrors errors;
  EXPECT_TRUE(parse_object_body(R"({"a":[{"id":1},{"id":2}]})", document, errors));
}

TEST(ParseObjectBody, RefusesNestingBeyondTheMaximumDepth) {
  Json document;
  ValidationErrors errors;
  const std::string deep = "{\"a\":" + std::string(kMaxBodyDepth, '[') + std::string(kMaxBodyDepth, ']') + "}";
  EXPECT_FALSE(parse_object_body(deep, document, errors));
}

TEST(ParseObjectBody, RefusesANulByte) {
  Json document;
  ValidationErrors errors;
  EXPECT_FALSE(parse_object_body(std::string_view("{}\0x", 4), document, errors));
}

}  // namespace
}  // namespace invite::gateway
