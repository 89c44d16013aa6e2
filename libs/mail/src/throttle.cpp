#include "invite/mail/throttle.hpp"

#include <algorithm>
#include <cmath>

namespace invite::mail {
namespace {
// Beyond this many domains with a bucket, full buckets are dropped: a full bucket is the same as none.
constexpr std::size_t kSweepAbove = 1024;
}  // namespace

TokenBucket::TokenBucket(double rate, double burst, Clock::time_point now)
    : rate_(rate), burst_(std::max(1.0, burst)), tokens_(burst_), updated_(now) {}

double TokenBucket::level(Clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(std::max(now - updated_, Clock::duration::zero())).count();
  return std::min(burst_, tokens_ + elapsed * rate_);
}

std::optional<std::chrono::milliseconds> TokenBucket::take(Clock::time_point now) {
  tokens_ = level(now);
  updated_ = std::max(updated_, now);
  if (tokens_ >= 1.0) {
    tokens_ -= 1.0;
    return std::nullopt;
  }
  const double seconds = (1.0 - tokens_) / rate_;
  return std::chrono::milliseconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(seconds * 1000.0))));
}

bool TokenBucket::full(Clock::time_point now) const { return level(now) >= burst_; }

DomainThrottle::DomainThrottle(double rate_per_domain, double burst) : rate_(rate_per_domain), burst_(burst) {}

std::optional<std::chrono::milliseconds> DomainThrottle::acquire(std::string_view domain, Clock::time_point now) {
  if (rate_ <= 0) return std::nullopt;
  if (buckets_.size() > kSweepAbove)
    std::erase_if(buckets_, [now](const auto& entry) { return entry.second.full(now); });
  auto it = buckets_.find(domain);
  if (it == buckets_.end()) it = buckets_.emplace(std::string(domain), TokenBucket(rate_, burst_, now)).first;
  return it->second.take(now);
}

}  // namespace invite::mail
