#include "invite/domain/rate_limit.hpp"

#include <gtest/gtest.h>

// The worker decides invites (the plan's RateLimit: the daily budget's headers) and resends (WindowLimit) in one
// translation unit: both headers must coexist.
#include "invite/domain/plan.hpp"

namespace invite::domain {
namespace {

constexpr WindowLimit kTwoPerMinute{2, std::chrono::minutes(1)};
constexpr std::int64_t kNow = 1700000000000;

TEST(RateLimitTake, AllowsTheFirstRequestFromAFreshState) { EXPECT_TRUE(take(kTwoPerMinute, {}, kNow).allowed); }

TEST(RateLimitTake, StartsTheWindowAtTheFirstRequest) {
  EXPECT_EQ(take(kTwoPerMinute, {}, kNow).next, (RateWindow{kNow, 1}));
}

TEST(RateLimitTake, AllowsUpToTheLimitWithinAWindow) {
  EXPECT_TRUE(take(kTwoPerMinute, RateWindow{kNow, 1}, kNow + 10).allowed);
}

TEST(RateLimitTake, RefusesBeyondTheLimit) {
  EXPECT_FALSE(take(kTwoPerMinute, RateWindow{kNow, 2}, kNow + 10).allowed);
}

TEST(RateLimitTake, RetryAfterIsTheRestOfTheWindowRoundedUp) {
  EXPECT_EQ(take(kTwoPerMinute, RateWindow{kNow, 2}, kNow + 20'500).retry_after, std::chrono::seconds(40));
}

TEST(RateLimitTake, RetryAfterIsAtLeastOneSecond) {
  EXPECT_EQ(take(kTwoPerMinute, RateWindow{kNow, 2}, kNow + 59'999).retry_after, std::chrono::seconds(1));
}

TEST(RateLimitTake, KeepsTheStateWhenRefusing) {
  EXPECT_EQ(take(kTwoPerMinute, RateWindow{kNow, 2}, kNow + 10).next, (RateWindow{kNow, 2}));
}

TEST(RateLimitTake, AllowsAgainOnceTheWindowEnded) {
  EXPECT_EQ(take(kTwoPerMinute, RateWindow{kNow, 2}, kNow + 60'000).next, (RateWindow{kNow + 60'000, 1}));
}

TEST(RateLimitTake, StartsAFreshWindowWhenTheClockWentBack) {
  EXPECT_TRUE(take(kTwoPerMinute, RateWindow{kNow, 2}, kNow - 1).allowed);
}

}  // namespace
}  // namespace invite::domain
