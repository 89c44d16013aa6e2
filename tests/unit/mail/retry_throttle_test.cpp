#include <gtest/gtest.h>

#include "invite/mail/retry.hpp"
#include "invite/mail/sender.hpp"
#include "invite/mail/throttle.hpp"

namespace invite::mail {
namespace {

using namespace std::chrono_literals;

TEST(RetryDelay, DoublesUpToTheCapWithJitterKeepingAtLeastHalf) {
  const RetryPolicy policy{1s, 60s, 10};
  EXPECT_EQ(retry_delay(policy, 1, 0.0), 500ms);
  EXPECT_EQ(retry_delay(policy, 1, 0.999999), 999ms);
  EXPECT_EQ(retry_delay(policy, 2, 0.0), 1s);
  EXPECT_EQ(retry_delay(policy, 4, 1.0), 8s);  // the factor never exceeds 1
  EXPECT_EQ(retry_delay(policy, 7, 1.0), 60s);
  EXPECT_EQ(retry_delay(policy, 7, 0.0), 30s);
  EXPECT_EQ(retry_delay(policy, 1000, 1.0), 60s);  // no overflow for absurd counts
  for (int attempt = 1; attempt < 12; ++attempt) {
    EXPECT_LE(retry_delay(policy, attempt, 0.3), retry_delay(policy, attempt + 1, 0.3)) << attempt;
  }
  EXPECT_EQ(retry_delay({0ms, 0ms, 1}, 3, 0.0), 1ms);  // never zero: a retry storm on a zero setting
}

TEST(TokenBucket, AllowsTheBurstThenTheRate) {
  const auto t0 = Clock::time_point{} + 100s;
  TokenBucket bucket(2.0, 3.0, t0);
  EXPECT_EQ(bucket.take(t0), std::nullopt);
  EXPECT_EQ(bucket.take(t0), std::nullopt);
  EXPECT_EQ(bucket.take(t0), std::nullopt);
  EXPECT_EQ(bucket.take(t0), 500ms);  // empty: one token every 500 ms at 2/s
  EXPECT_EQ(bucket.take(t0 + 250ms), 250ms);
  EXPECT_EQ(bucket.take(t0 + 500ms), std::nullopt);
  EXPECT_FALSE(bucket.full(t0 + 1s));
  EXPECT_TRUE(bucket.full(t0 + 2s));
  EXPECT_EQ(bucket.take(t0 + 10s), std::nullopt);  // refilled, but never beyond the burst
  EXPECT_EQ(bucket.take(t0 + 10s), std::nullopt);
  EXPECT_EQ(bucket.take(t0 + 10s), std::nullopt);
  EXPECT_NE(bucket.take(t0 + 10s), std::nullopt);
}

TEST(TokenBucket, SlowRatesWaitLong) {
  const auto t0 = Clock::time_point{} + 100s;
  TokenBucket bucket(0.5, 1.0, t0);
  EXPECT_EQ(bucket.take(t0), std::nullopt);
  EXPECT_EQ(bucket.take(t0), 2s);
}

TEST(DomainThrottle, DomainsDoNotShareABucket) {
  const auto t0 = Clock::time_point{} + 100s;
  DomainThrottle throttle(1.0, 1.0);
  EXPECT_EQ(throttle.acquire("a.example", t0), std::nullopt);
  EXPECT_EQ(throttle.acquire("a.example", t0), 1s);
  EXPECT_EQ(throttle.acquire("b.example", t0), std::nullopt);
  EXPECT_EQ(throttle.acquire("a.example", t0 + 1s), std::nullopt);
}

TEST(DomainThrottle, ZeroRateMeansUnlimited) {
  DomainThrottle throttle(0.0, 1.0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(throttle.acquire("a.example", Clock::time_point{}), std::nullopt);
  EXPECT_EQ(throttle.tracked(), 0u);
}

TEST(DomainThrottle, QuietDomainsAreForgotten) {
  const auto t0 = Clock::time_point{} + 100s;
  DomainThrottle throttle(10.0, 1.0);
  for (int i = 0; i < 3000; ++i) throttle.acquire("d" + std::to_string(i) + ".example", t0);
  EXPECT_GT(throttle.tracked(), 1024u);
  throttle.acquire("late.example", t0 + 1s);  // every earlier bucket has refilled by now
  EXPECT_EQ(throttle.tracked(), 1u);
}

TEST(SmtpCodes, ClassifiedByTheirFirstDigit) {
  EXPECT_EQ(classify_smtp_code(250), SendOutcome::Delivered);
  EXPECT_EQ(classify_smtp_code(421), SendOutcome::Transient);
  EXPECT_EQ(classify_smtp_code(451), SendOutcome::Transient);
  EXPECT_EQ(classify_smtp_code(550), SendOutcome::Permanent);
  EXPECT_EQ(classify_smtp_code(554), SendOutcome::Permanent);
  EXPECT_EQ(classify_smtp_code(0), SendOutcome::Transient);
}

}  // namespace
}  // namespace invite::mail
