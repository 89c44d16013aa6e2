#pragma once
// POST /api/2.0/people/invite: every check of the HTTP contract, then publish and wait for the worker's reply.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

#include "gateway_metrics.hpp"
#include "invite/domain/portal.hpp"
#include "invite/http/server.hpp"
#include "pending_requests.hpp"
#include "request_publisher.hpp"

namespace invite::gateway {

struct InviteSettings {
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  std::size_t max_invitations = 1000;
  int reply_partition = 0;
};

// What the endpoint needs from its surroundings, injected so tests control time and scheduling.
struct InviteEnvironment {
  const domain::PortalDirectory* portals = nullptr;
  std::string token_secret;
  RequestPublisher* publisher = nullptr;
  PendingRequests* pending = nullptr;
  GatewayMetrics* metrics = nullptr;
  std::function<std::int64_t()> now_ms;
  std::function<void(std::chrono::milliseconds, std::function<void()>)> schedule;
  std::function<std::string()> new_id;
  // Set while the gateway shuts down: new invites get 503 so clients retry on another replica, while requests
  // already published still get their answer.
  const std::atomic<bool>* draining = nullptr;
};

class InviteEndpoint {
 public:
  InviteEndpoint(InviteEnvironment env, InviteSettings settings);
  void operator()(http::Request request, http::Respond respond);

 private:
  void finish(const std::string& outcome, http::Respond& respond, http::Response response);

  InviteEnvironment env_;
  InviteSettings settings_;
};

}  // namespace invite::gateway
