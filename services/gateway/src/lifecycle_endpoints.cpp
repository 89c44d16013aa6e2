#include "lifecycle_endpoints.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "http_replies.hpp"
#include "invite/common/log.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/people_admin.hpp"
#include "lifecycle_requests.hpp"
#include "password_hash.hpp"
#include "people_filter_query.hpp"
#include "responses.hpp"

namespace invite::gateway {
namespace {

using events::CommandKind;

void merge(ValidationErrors& into, const ValidationErrors& from) {
  for (const auto& [key, messages] : from.errors) {
    for (const auto& message : messages) into.add(key, message);
  }
}

std::string_view method_of(CommandKind kind) {
  switch (kind) {
    case CommandKind::Confirm:
    case CommandKind::Accept:
      return "POST";
    case CommandKind::List:
      return "GET";
    case CommandKind::Resend:
    case CommandKind::Disable:
    case CommandKind::Delete:
      return "PUT";
  }
  return "POST";
}

}  // namespace

LifecycleEndpoints::LifecycleEndpoints(InviteEnvironment env, PasswordHasher& hasher, LifecycleSettings settings)
    : env_(std::move(env)), hasher_(hasher), settings_(settings) {
  assert(env_.portals && env_.publisher && env_.pending && env_.metrics && env_.now_ms && env_.schedule && env_.new_id);
}

void LifecycleEndpoints::add_routes(http::Router& router) {
  const auto route = [this](void (LifecycleEndpoints::*handler)(http::Request, http::Respond)) {
    return [this, handler](http::Request request, http::Respond respond) {
      (this->*handler)(std::move(request), std::move(respond));
    };
  };
  router.add("POST", "/api/2.0/authentication/confirm", route(&LifecycleEndpoints::confirm));
  router.add("POST", "/api/2.0/people", route(&LifecycleEndpoints::accept));
  router.add("PUT", "/api/2.0/people/invite", route(&LifecycleEndpoints::resend));
  router.add("GET", "/api/2.0/people/filter", route(&LifecycleEndpoints::list));
  router.add("PUT", "/api/2.0/people/status/2", route(&LifecycleEndpoints::disable));
  router.add("PUT", "/api/2.0/people/delete", route(&LifecycleEndpoints::remove));
}

void LifecycleEndpoints::finish(Call& call, const std::string& outcome, http::Response response) {
  const auto endpoint = events::to_string(call.kind);
  env_.metrics->lifecycle_requests(endpoint, response.status, outcome).inc();
  env_.metrics->lifecycle_duration(endpoint).observe(static_cast<double>(env_.now_ms() - call.arrival.started_ms) /
                                                     1000.0);
  call.respond(std::move(response));
}

void LifecycleEndpoints::finish(Call& call, Refusal refusal) {
  finish(call, refusal.outcome, std::move(refusal.response));
}

std::optional<LifecycleEndpoints::Call> LifecycleEndpoints::begin(CommandKind kind, const http::Request& request,
                                                                  http::Respond& respond) {
  Call call;
  call.kind = kind;
  call.method = std::string(method_of(kind));
  call.respond = std::move(respond);
  call.traceparent = valid_traceparent(request.header("traceparent"));
  auto arrived = arrive(env_, request);
  if (!arrived) {
    call.arrival.started_ms = env_.now_ms();
    finish(call, arrived.error());
    return std::nullopt;
  }
  call.arrival = std::move(*arrived);
  return call;
}

std::optional<auth::Claims> LifecycleEndpoints::caller_of(Call& call, const http::Request& request, bool has_body) {
  auto verified = authenticate(env_, request, call.arrival);
  if (!verified) {
    finish(call, verified.error());
    return std::nullopt;
  }
  if (has_body) {
    if (auto refused = refuse_content_type(request, call.arrival.media)) {
      finish(call, std::move(*refused));
      return std::nullopt;
    }
  }
  return std::move(*verified);
}

void LifecycleEndpoints::answer_invalid(Call& call, const ValidationErrors& errors) {
  finish(call, "invalid",
         json_response(
             400, validation_envelope(errors, call.arrival.request_url, trace_id_for(call.traceparent), call.method),
             call.arrival.media));
}

void LifecycleEndpoints::publish(Call call, events::PeopleCommand command) {
  const Arrival& arrival = call.arrival;
  command.event_id = env_.new_id();
  command.occurred_at_ms = arrival.started_ms;
  command.request_id = env_.new_id();
  command.deadline_ms = arrival.started_ms + settings_.request_timeout.count();
  command.portal = arrival.portal->host;
  command.reply_partition = settings_.reply_partition;
  command.kind = call.kind;
  EncodedRequest record{command.portal, events::encode_command(command), command.request_id, command.reply_partition};
  const std::string request_id = command.request_id;
  const std::string traceparent = call.traceparent.value_or("");
  const std::string media = arrival.media;

  auto on_complete = [this, call, request_id](Completion completion) mutable {
    env_.metrics->pending_requests.set(static_cast<double>(env_.pending->size()));
    const auto* reply = std::get_if<events::InviteReply>(&completion);
    if (reply == nullptr) return finish(call, unanswered(completion, call.arrival.media, request_id));
    if (reply->command != call.kind) {
      env_.metrics->mismatched_replies.inc();
      common::log_warn("reply answers another command", {{"requestId", request_id}});
    }
    const std::string outcome =
        answers_command(*reply, call.kind) ? std::string(domain::to_string(reply->outcome)) : "bad_reply";
    finish(call, outcome,
           command_reply_response(*reply, call.kind, *call.arrival.portal, call.arrival.request_url, call.method,
                                  call.arrival.media));
  };
  // `call` is copied into the completion above; it is answered through that copy from here on, or here when the
  // gateway is full (then the completion was never registered).
  const bool dispatched =
      dispatch(env_, 1, request_id, command.deadline_ms, std::move(on_complete),
               [&](std::function<void(PublishOutcome)> on_delivered) {
                 env_.publisher->publish_one(std::move(record), traceparent, std::move(on_delivered));
               });
  if (!dispatched) finish(call, "overloaded", overloaded_response(media));
}

// ---------------------------------------------------------------- confirm

void LifecycleEndpoints::confirm(http::Request request, http::Respond respond) {
  auto call = begin(CommandKind::Confirm, request, respond);
  if (!call) return;
  // Anonymous: the link is the credential, a token is ignored.
  if (auto refused = refuse_content_type(request, call->arrival.media)) return finish(*call, std::move(*refused));
  auto parsed = parse_confirm_request(request.body);
  if (!parsed) return answer_invalid(*call, parsed.error());
  events::PeopleCommand command;
  command.link = std::move(parsed->link);
  publish(std::move(*call), std::move(command));
}

// ---------------------------------------------------------------- accept

void LifecycleEndpoints::accept(http::Request request, http::Respond respond) {
  auto call = begin(CommandKind::Accept, request, respond);
  if (!call) return;
  const std::string_view header = request.header("confirm");
  if (header.empty()) {
    // The link is the accept's only authorisation: without it, nothing else is looked at.
    return finish(
        *call, "link_missing",
        error_response(401, "The confirmation link is missing", error_type::kLinkInvalid, call->arrival.media));
  }
  if (auto refused = refuse_content_type(request, call->arrival.media)) return finish(*call, std::move(*refused));

  ValidationErrors errors;
  std::optional<domain::LinkValues> link;
  if (header.size() > kMaxConfirmHeaderBytes) {
    errors.add("confirm", "The confirm header must be at most " + std::to_string(kMaxConfirmHeaderBytes) + " bytes.");
  } else if (auto parsed_link = parse_confirm_header(header); !parsed_link) {
    merge(errors, parsed_link.error());
  } else {
    link = std::move(*parsed_link);
  }
  auto body = parse_accept_request(request.body, settings_.password_policy);
  wipe_secret(request.body);  // the body held the password; nothing reads it again
  if (!body) merge(errors, body.error());
  if (!errors.empty()) return answer_invalid(*call, errors);

  // Cheap checks first: a hash costs 64 MiB and tens of milliseconds, not worth spending on a request that would be
  // refused for room afterwards anyway.
  if (env_.pending->size() >= env_.pending->capacity() || !env_.publisher->has_room(1)) {
    return finish(*call, "overloaded", overloaded_response(call->arrival.media));
  }

  events::PeopleCommand command;
  command.link = std::move(*link);
  command.body_email = std::move(body->email);
  command.body_type = body->type;
  command.body_key = std::move(body->key);
  command.first_name = std::move(body->first_name);
  command.last_name = std::move(body->last_name);
  command.culture = body->culture.value_or("");
  command.spam = body->spam;
  // The client's own hash is taken as the secret as given (openapi.yaml): hashed the same way.
  std::string secret = body->password ? std::move(*body->password) : std::move(body->password_hash).value_or("");

  const std::int64_t queued_at_ms = env_.now_ms();
  const std::string media = call->arrival.media;
  auto pending_call = std::make_shared<Call>(std::move(*call));
  auto pending_command = std::make_shared<events::PeopleCommand>(std::move(command));
  const bool submitted = hasher_.submit(std::move(secret), [this, pending_call, pending_command,
                                                            queued_at_ms](common::Result<std::string> encoded) mutable {
    // On a hashing thread: back to the server's threads before touching anything else.
    env_.schedule(std::chrono::milliseconds(0),
                  [this, pending_call, pending_command, queued_at_ms, encoded = std::move(encoded)]() mutable {
                    hashed(std::move(*pending_call), std::move(*pending_command), std::move(encoded), queued_at_ms);
                  });
  });
  env_.metrics->password_hash_queue.set(static_cast<double>(hasher_.queued()));
  if (!submitted) {
    env_.metrics->password_hash_refused.inc();
    auto response = error_response(503, "Too many accepts in flight, retry later", error_type::kOverloaded, media);
    response.set("Retry-After", "1");
    return finish(*pending_call, "hash_pool_full", std::move(response));
  }
}

void LifecycleEndpoints::hashed(Call call, events::PeopleCommand command, common::Result<std::string> encoded,
                                std::int64_t queued_at_ms) {
  env_.metrics->password_hash_queue.set(static_cast<double>(hasher_.queued()));
  env_.metrics->password_hash_duration.observe(static_cast<double>(env_.now_ms() - queued_at_ms) / 1000.0);
  if (!encoded) {
    common::log_error("password hash failed", {{"error", encoded.error().message}});
    auto response = error_response(503, "The password could not be hashed, retry later", error_type::kOverloaded,
                                   call.arrival.media);
    response.set("Retry-After", "1");
    return finish(call, "hash_failed", std::move(response));
  }
  command.password_hash = std::move(*encoded);
  publish(std::move(call), std::move(command));
}

// ---------------------------------------------------------------- resend, list, disable, delete

void LifecycleEndpoints::resend(http::Request request, http::Respond respond) {
  auto call = begin(CommandKind::Resend, request, respond);
  if (!call) return;
  auto caller = caller_of(*call, request, true);
  if (!caller) return;
  auto parsed = parse_resend_request(request.body);
  if (!parsed) return answer_invalid(*call, parsed.error());
  // A User or Guest may resend to nobody; resendAll needs the same rank (people_admin.hpp).
  if (!domain::may_resend_all(caller->role)) return finish(*call, access_denied(call->arrival.media));
  events::PeopleCommand command;
  command.caller_id = caller->user_id;
  command.caller_role = caller->role;
  command.user_ids = std::move(parsed->user_ids);
  command.resend_all = parsed->resend_all;
  publish(std::move(*call), std::move(command));
}

void LifecycleEndpoints::list(http::Request request, http::Respond respond) {
  auto call = begin(CommandKind::List, request, respond);
  if (!call) return;
  auto caller = caller_of(*call, request, false);
  if (!caller) return;
  const auto question = request.target.find('?');
  const std::string_view query =
      question == std::string::npos ? std::string_view() : std::string_view(request.target).substr(question + 1);
  auto parsed = parse_people_filter_query(query);
  if (!parsed) return answer_invalid(*call, parsed.error());
  if (caller->role == domain::Role::Guest) return finish(*call, access_denied(call->arrival.media));
  events::PeopleCommand command;
  command.caller_id = caller->user_id;
  command.caller_role = caller->role;
  command.query = std::move(*parsed);
  publish(std::move(*call), std::move(command));
}

void LifecycleEndpoints::disable(http::Request request, http::Respond respond) {
  revoke(CommandKind::Disable, std::move(request), std::move(respond));
}

void LifecycleEndpoints::remove(http::Request request, http::Respond respond) {
  revoke(CommandKind::Delete, std::move(request), std::move(respond));
}

void LifecycleEndpoints::revoke(CommandKind kind, http::Request request, http::Respond respond) {
  auto call = begin(kind, request, respond);
  if (!call) return;
  auto caller = caller_of(*call, request, true);
  if (!caller) return;
  auto parsed = parse_user_ids_request(request.body);
  if (!parsed) return answer_invalid(*call, parsed.error());
  // What the token decides: the caller's rank, and never oneself. The Owner as a target only the worker knows.
  const bool may_revoke = caller->role == domain::Role::Owner || caller->role == domain::Role::DocSpaceAdmin;
  const std::string self = common::ascii_lower(caller->user_id);
  if (!may_revoke || std::find(parsed->begin(), parsed->end(), self) != parsed->end()) {
    return finish(*call, access_denied(call->arrival.media));
  }
  events::PeopleCommand command;
  command.caller_id = caller->user_id;
  command.caller_role = caller->role;
  command.user_ids = std::move(*parsed);
  publish(std::move(*call), std::move(command));
}

}  // namespace invite::gateway
