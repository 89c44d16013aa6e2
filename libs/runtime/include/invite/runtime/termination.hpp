#pragma once
// SIGINT and SIGTERM for the services without an HTTP server of their own to receive them (the gateway's
// http::Server takes them on its io_context): a boost::asio::signal_set on an io_context of its own thread.
#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "invite/common/result.hpp"

namespace invite::runtime {

class TerminationSignals {
 public:
  // Create first thing in main: from then on the signals no longer end the process; one that arrives before
  // anything waits for it is kept until then.
  TerminationSignals();
  ~TerminationSignals();
  TerminationSignals(const TerminationSignals&) = delete;
  TerminationSignals& operator=(const TerminationSignals&) = delete;

  // Calls fn(signo) on the signal thread for the first signal. Call once.
  void on_signal(std::function<void(int)> fn);

  // Runs a service's loop on the calling thread until a signal sets the flag it watches. A loop that returns an
  // error is logged. Returns main's exit code: 0, or 1 after an error.
  int run_until_signal(const std::function<common::Result<>(const std::atomic<bool>& stop)>& loop);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace invite::runtime
