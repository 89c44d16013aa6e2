#include "invite/domain/rate_limit.hpp"

#include <algorithm>

namespace invite::domain {

RateDecision take(const WindowLimit& limit, const RateWindow& state, std::int64_t now_ms) {
  const auto window_ms = limit.window.count();
  RateWindow window = state;
  // A clock that went back past the window's start also starts a new window rather than blocking for long.
  if (now_ms < window.started_ms || now_ms - window.started_ms >= window_ms) window = RateWindow{now_ms, 0};
  if (window.used >= limit.limit) {
    const auto left_ms = window.started_ms + window_ms - now_ms;
    const auto seconds = std::max<std::int64_t>(1, (left_ms + 999) / 1000);
    return RateDecision{false, std::chrono::seconds(seconds), state};
  }
  ++window.used;
  return RateDecision{true, std::chrono::seconds(0), window};
}

}  // namespace invite::domain
