#pragma once
// A task the worker's loop runs every so often between polls: the loop asks, the task never runs on its own.
#include <chrono>

namespace invite::worker {

class Periodic {
 public:
  using Clock = std::chrono::steady_clock;

  Periodic(Clock::duration interval, Clock::time_point first_due) : interval_(interval), next_(first_due) {}

  // True when now has reached the due time, which then moves to now + interval: a late loop skips the runs it
  // missed instead of catching up on them in a burst.
  bool due(Clock::time_point now) {
    if (now < next_) return false;
    next_ = now + interval_;
    return true;
  }

 private:
  Clock::duration interval_;
  Clock::time_point next_;
};

}  // namespace invite::worker
