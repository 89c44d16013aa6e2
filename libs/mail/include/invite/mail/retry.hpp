#pragma once
// When to try an e-mail again. Pure: the random number is passed in.
#include <chrono>

namespace invite::mail {

struct RetryPolicy {
  std::chrono::milliseconds initial{std::chrono::seconds(5)};  // after the first failure
  std::chrono::milliseconds max{std::chrono::minutes(30)};     // the delay never grows beyond this
  int max_attempts = 15;                                       // then the job fails for good
};

// The pause after `failed_attempts` (>= 1) transient failures: initial * 2^(failed_attempts - 1), capped at max,
// then scaled by a factor in [0.5, 1) taken from `unit` (uniform in [0, 1)). The jitter spreads the retries of
// many jobs that failed together (a server that was down) instead of sending them back in one burst; keeping
// half the delay keeps the backoff meaningful.
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed_attempts, double unit);

}  // namespace invite::mail
