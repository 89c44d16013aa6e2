#pragma once
// POST /api/2.0/people/invite: every check of the HTTP contract, then publish and wait for the worker's reply.
#include <chrono>
#include <cstddef>

#include "endpoint_steps.hpp"
#include "invite/http/server.hpp"

namespace invite::gateway {

struct InviteSettings {
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  std::size_t max_invitations = 1000;
  int reply_partition = 0;
};

class InviteEndpoint {
 public:
  InviteEndpoint(InviteEnvironment env, InviteSettings settings);
  void operator()(http::Request request, http::Respond respond);

 private:
  void finish(const std::string& outcome, http::Respond& respond, http::Response response);
  void finish(Refusal refusal, http::Respond& respond);

  InviteEnvironment env_;
  InviteSettings settings_;
};

}  // namespace invite::gateway
