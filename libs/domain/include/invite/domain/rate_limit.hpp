#pragma once
// A fixed-window rate limit, pure: the caller keeps the state (per caller, e.g. per user id for resends) and passes
// the time in. Our decision for resends: 10 requests per caller per 10 minutes; a client that hits it learns from
// Retry-After when its window ends. A fixed window may let 2x the limit through around a window's edge, which is
// harmless for resending e-mails and keeps the state two numbers.
#include <chrono>
#include <cstdint>

namespace invite::domain {

// Not "RateLimit": plan.hpp's RateLimit is the daily budget as the reply reports it, and the worker uses both.
struct WindowLimit {
  std::int64_t limit = 10;
  std::chrono::milliseconds window = std::chrono::minutes(10);
};

struct RateWindow {
  std::int64_t started_ms = 0;
  std::int64_t used = 0;

  bool operator==(const RateWindow&) const = default;
};

struct RateDecision {
  bool allowed = false;
  std::chrono::seconds retry_after{0};  // when refused: whole seconds until the window ends, at least 1
  RateWindow next;                      // the state to keep (unchanged when refused)
};

// A fresh (zero) state, or a window that has ended, starts a new window at now_ms.
RateDecision take(const WindowLimit& limit, const RateWindow& state, std::int64_t now_ms);

}  // namespace invite::domain
