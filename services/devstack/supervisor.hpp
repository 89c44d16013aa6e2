#pragma once
// Runs a devstack: the broker (embedded or real, with the topics), the children, the readiness wait, the welcome
// and devstack.json, then watches the children until a signal or one of them exits.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>

#include "settings.hpp"

namespace invite::devstack {

// Set on the signal thread, read by the supervision.
class StopFlag {
 public:
  void set(int signo) {
    std::lock_guard lock(mutex_);
    signo_ = signo;
    changed_.notify_all();
  }
  std::optional<int> get() {
    std::lock_guard lock(mutex_);
    return signo_;
  }
  // Sleeps up to d; returns the signal once one arrived.
  std::optional<int> wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, d, [this] { return signo_.has_value(); });
    return signo_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<int> signo_;
};

// 0 after a signal, 1 when something failed or a child exited by itself. The children are stopped and the
// embedded broker destroyed when it returns.
int run_devstack(Settings settings, StopFlag& stop);

}  // namespace invite::devstack
