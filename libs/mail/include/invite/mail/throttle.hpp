#pragma once
// Per recipient domain rate limits, so that a request inviting a thousand people of one company does not get
// the sender blocked by that company's mail server. Pure token buckets over a clock the caller passes in.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace invite::mail {

using Clock = std::chrono::steady_clock;

class TokenBucket {
 public:
  // `rate` tokens per second, at most `burst` (>= 1) stored; starts full.
  TokenBucket(double rate, double burst, Clock::time_point now);
  // Takes one token and returns nullopt, or returns how long until one is there (and takes nothing).
  std::optional<std::chrono::milliseconds> take(Clock::time_point now);
  bool full(Clock::time_point now) const;

 private:
  double level(Clock::time_point now) const;
  double rate_;
  double burst_;
  double tokens_;
  Clock::time_point updated_;
};

class DomainThrottle {
 public:
  // rate <= 0: unlimited.
  DomainThrottle(double rate_per_domain, double burst);
  // nullopt: send now (a token was taken); else the wait until this domain may have the next message.
  std::optional<std::chrono::milliseconds> acquire(std::string_view domain, Clock::time_point now);
  std::size_t tracked() const { return buckets_.size(); }  // domains with a bucket (full ones are dropped)

 private:
  double rate_;
  double burst_;
  std::map<std::string, TokenBucket, std::less<>> buckets_;
};

}  // namespace invite::mail
