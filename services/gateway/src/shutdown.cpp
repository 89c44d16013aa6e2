#include "shutdown.hpp"

#include "invite/common/log.hpp"

namespace invite::gateway {
namespace {

using namespace std::chrono_literals;

void wait_for_answers(http::Server& server, const PendingRequests& pending,
                      std::chrono::steady_clock::time_point give_up) {
  if (pending.size() > 0 && std::chrono::steady_clock::now() < give_up) {
    server.schedule(20ms, [&server, &pending, give_up] { wait_for_answers(server, pending, give_up); });
    return;
  }
  // Let the last responses leave the sockets before the connections close.
  server.schedule(100ms, [&server] {
    common::log_info("stopping");
    server.stop();
  });
}

}  // namespace

void drain_on_signal(http::Server& server, const PendingRequests& pending, std::atomic<bool>& draining,
                     std::chrono::milliseconds request_timeout) {
  server.on_termination_signal([&server, &pending, &draining, request_timeout](int signo) {
    common::log_info("draining",
                     {{"signal", std::int64_t{signo}}, {"pending", static_cast<std::int64_t>(pending.size())}});
    draining = true;
    wait_for_answers(server, pending, std::chrono::steady_clock::now() + request_timeout + 1s);
  });
}

}  // namespace invite::gateway
