#pragma once
// The invitation's later life (docs/lifecycle.md, proto/openapi.yaml tag `lifecycle`): each endpoint checks its
// request with the invite endpoint's steps (endpoint_steps.hpp), builds one events::PeopleCommand, publishes it as
// one record of invite.requested.v1 and answers from the worker's reply (http_replies.hpp,
// command_reply_response).
//   POST /api/2.0/authentication/confirm  anonymous                    command confirm
//   POST /api/2.0/people + header confirm  anonymous, the link alone   command accept (the password hashed first)
//   PUT  /api/2.0/people/invite            token                       command resend
//   GET  /api/2.0/people/filter            token, not a Guest          command list
//   PUT  /api/2.0/people/status/2          token, DocSpaceAdmin+       command disable
//   PUT  /api/2.0/people/delete            token, DocSpaceAdmin+       command delete
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>

#include "endpoint_steps.hpp"
#include "hash_pool.hpp"
#include "invite/domain/account_rules.hpp"
#include "invite/events/commands.hpp"
#include "invite/http/server.hpp"
#include "invite_request.hpp"

namespace invite::gateway {

struct LifecycleSettings {
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  int reply_partition = 0;
  domain::PasswordPolicy password_policy;  // DocSpace's defaults
};

// The `confirm` header's bound (openapi.yaml: longer is 400 keyed `confirm`).
inline constexpr std::size_t kMaxConfirmHeaderBytes = 4096;

class LifecycleEndpoints {
 public:
  // hasher: where accepts hash their password; it and env's members must outlive this object.
  LifecycleEndpoints(InviteEnvironment env, PasswordHasher& hasher, LifecycleSettings settings);

  void confirm(http::Request request, http::Respond respond);
  void accept(http::Request request, http::Respond respond);
  void resend(http::Request request, http::Respond respond);
  void list(http::Request request, http::Respond respond);
  void disable(http::Request request, http::Respond respond);
  void remove(http::Request request, http::Respond respond);  // PUT /api/2.0/people/delete

  // The six routes, bound to this object (which must outlive the router's use of them).
  void add_routes(http::Router& router);

 private:
  // One request on its way: what every later step needs to answer it.
  struct Call {
    events::CommandKind kind = events::CommandKind::Confirm;
    std::string method;
    http::Respond respond;
    Arrival arrival;
    std::optional<std::string> traceparent;
  };

  // Draining and portal; nullopt once answered.
  std::optional<Call> begin(events::CommandKind kind, const http::Request& request, http::Respond& respond);
  // The authenticated endpoints' next steps: token (401), content type (415) unless `has_body` is false.
  std::optional<auth::Claims> caller_of(Call& call, const http::Request& request, bool has_body);
  void answer_invalid(Call& call, const ValidationErrors& errors);
  void publish(Call call, events::PeopleCommand command);
  void hashed(Call call, events::PeopleCommand command, common::Result<std::string> encoded, std::int64_t queued_at_ms);
  // disable and delete: the same checks, another command.
  void revoke(events::CommandKind kind, http::Request request, http::Respond respond);
  void finish(Call& call, const std::string& outcome, http::Response response);
  void finish(Call& call, Refusal refusal);

  InviteEnvironment env_;
  PasswordHasher& hasher_;
  LifecycleSettings settings_;
};

}  // namespace invite::gateway
