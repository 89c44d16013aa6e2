#pragma once
// The gateway's drain on SIGINT/SIGTERM, on the HTTP server's io_context: refuse new invites, let published ones
// get their reply (or their 504), then close.
#include <atomic>
#include <chrono>

#include "invite/http/server.hpp"
#include "pending_requests.hpp"

namespace invite::gateway {

// From now on a termination signal sets `draining`, then steady timers on the server's threads check every
// 20 ms until no request is pending or request_timeout (+1 s) has passed, and stop the server 100 ms later.
// Everything passed must outlive server.run().
void drain_on_signal(http::Server& server, const PendingRequests& pending, std::atomic<bool>& draining,
                     std::chrono::milliseconds request_timeout);

}  // namespace invite::gateway
