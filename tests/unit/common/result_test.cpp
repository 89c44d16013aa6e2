#include "invite/common/result.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <string>

namespace invite::common {
namespace {

Result<std::string> greeting(bool ok) {
  if (!ok) {
    return fail("no greeting today");
  }
  return std::string("hello");
}

Result<std::unique_ptr<int>> boxed(int value) {
  if (value < 0) {
    return fail("negative: " + std::to_string(value));
  }
  return std::make_unique<int>(value);
}

Result<> check(bool ok) {
  if (!ok) {
    return fail("check failed");
  }
  return {};
}

TEST(Result, AStringValueIsAValueNotAnError) {
  const auto result = greeting(true);
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, "hello");
}

TEST(Result, AnErrorCarriesItsMessage) {
  const auto result = greeting(false);
  ASSERT_TRUE(result.has_error());
  EXPECT_EQ(result.error().message, "no greeting today");
}

TEST(Result, MoveOnlyValuesPassThrough) {
  auto result = boxed(7);
  ASSERT_TRUE(result);
  std::unique_ptr<int> owned = std::move(*result);
  EXPECT_EQ(*owned, 7);
  EXPECT_EQ(boxed(-1).error().message, "negative: -1");
}

TEST(Result, VoidResultsSayOnlyWhetherTheyFailed) {
  EXPECT_TRUE(check(true));
  EXPECT_EQ(check(false).error().message, "check failed");
}

TEST(Result, ReadingTheValueOfAnUncheckedErrorThrowsALogicError) {
  const auto result = greeting(false);
  EXPECT_THROW((void)result.value(), std::logic_error);
}

}  // namespace
}  // namespace invite::common
