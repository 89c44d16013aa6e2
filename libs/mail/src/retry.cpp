#include "invite/mail/retry.hpp"

#include <algorithm>
#include <cmath>

namespace invite::mail {

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int failed_attempts, double unit) {
  const double initial = static_cast<double>(std::max<std::int64_t>(policy.initial.count(), 1));
  const double cap = static_cast<double>(std::max(policy.max, policy.initial).count());
  // 2^62 ms is far beyond any cap, and keeps the exponent from overflowing.
  const double grown = std::min(cap, initial * std::ldexp(1.0, std::clamp(failed_attempts - 1, 0, 62)));
  const double factor = 0.5 + 0.5 * std::clamp(unit, 0.0, 1.0);
  return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(grown * factor)));
}

}  // namespace invite::mail
