#include "invite_endpoint.hpp"

#include <cassert>

#include "http_replies.hpp"
#include "invite/auth/token.hpp"
#include "invite/common/log.hpp"
#include "invite/domain/permissions.hpp"
#include "invite_request.hpp"
#include "responses.hpp"

namespace invite::gateway {
namespace {

constexpr std::string_view kExpiredAuthCookie =
    "asc_auth_key=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; HttpOnly";

// Too many requests waiting for replies, or too many records waiting for Kafka: this gateway is full, not broken.
http::Response overloaded_response(std::string_view media) {
  auto response = error_response(503, "Too many requests in flight, retry later", error_type::kOverloaded, media);
  response.set("Retry-After", "1");
  return response;
}

}  // namespace

InviteEndpoint::InviteEndpoint(InviteEnvironment env, InviteSettings settings)
    : env_(std::move(env)), settings_(settings) {
  assert(env_.portals && env_.publisher && env_.pending && env_.metrics && env_.now_ms && env_.schedule && env_.new_id);
}

void InviteEndpoint::finish(const std::string& outcome, http::Respond& respond, http::Response response) {
  env_.metrics->invite_requests(response.status, outcome).inc();
  respond(std::move(response));
}

void InviteEndpoint::operator()(http::Request request, http::Respond respond) {
  const std::int64_t started_ms = env_.now_ms();
  const std::string media = negotiate_media_type(request.header("Accept"));
  if (env_.draining != nullptr && env_.draining->load()) {
    auto response = error_response(503, "The gateway is shutting down, retry", error_type::kShuttingDown, media);
    response.set("Retry-After", "1");
    return finish("shutting_down", respond, std::move(response));
  }

  const domain::Portal* portal = env_.portals->find_by_host_header(request.header("Host"));
  if (portal == nullptr) {
    return finish("portal_not_found", respond,
                  error_response(404, "Portal not found", error_type::kPortalNotFound, media));
  }

  const auto token = auth::extract_token(request.header("Cookie"), request.header("Authorization"));
  const auto verified = token ? auth::verify_token(token->token, env_.token_secret, portal->host, started_ms / 1000)
                              : boost::system::result<auth::Claims, auth::TokenError>(auth::TokenError::Missing);
  if (!verified) {
    auto response = error_response(401, auth::describe(verified.error()), error_type::kUnauthorized, media);
    // DocSpace deletes a rejected cookie so the browser stops sending it.
    if (token && token->from_cookie) response.set("Set-Cookie", std::string(kExpiredAuthCookie));
    return finish("unauthorized", respond, std::move(response));
  }
  const auto& caller = *verified;

  if (!is_accepted_content_type(request.header("Content-Type"))) {
    return finish("unsupported_media_type", respond,
                  error_response(415, "Content-Type must be application/json, application/*+json or text/json",
                                 error_type::kUnsupportedMediaType, media));
  }

  const std::string request_url = portal->base_url + request.target;
  const auto traceparent = valid_traceparent(request.header("traceparent"));
  auto parsed = parse_invite_request(request.body, settings_.max_invitations);
  if (!parsed) {
    return finish(
        "invalid", respond,
        json_response(400, validation_envelope(parsed.error(), request_url, trace_id_for(traceparent)), media));
  }
  auto& invite = *parsed;

  for (const auto& invitation : invite.invitations) {
    if (!domain::may_invite(caller.role, invitation.type, portal->allow_inviting_members)) {
      return finish("access_denied", respond, error_response(403, "Access denied", error_type::kAccessDenied, media));
    }
  }

  if (invite.invitations.empty()) {
    return finish("ok", respond, json_response(200, success_envelope({}, *portal, request_url), media));
  }

  const std::string request_id = env_.new_id();
  const std::int64_t deadline_ms = started_ms + settings_.request_timeout.count();
  const std::string culture = invite.culture.value_or(portal->default_culture);
  std::vector<events::RequestedInvitation> records;
  records.reserve(invite.invitations.size());
  for (std::size_t i = 0; i < invite.invitations.size(); ++i) {
    events::RequestedInvitation record;
    record.event_id = env_.new_id();
    record.occurred_at_ms = started_ms;
    record.request_id = request_id;
    record.index = static_cast<int>(i);
    record.count = static_cast<int>(invite.invitations.size());
    record.deadline_ms = deadline_ms;
    record.portal = portal->host;
    record.inviter_id = caller.user_id;
    record.inviter_role = caller.role;
    record.culture = culture;
    record.invitation = std::move(invite.invitations[i]);
    record.reply_partition = settings_.reply_partition;
    records.push_back(std::move(record));
  }

  // The completion owns everything the answer needs; the portal directory outlives every request.
  auto on_complete = [this, respond, portal, request_url, media, request_id, started_ms,
                      count = records.size()](Completion completion) mutable {
    env_.metrics->pending_requests.set(static_cast<double>(env_.pending->size()));
    env_.metrics->invite_duration.observe(static_cast<double>(env_.now_ms() - started_ms) / 1000.0);
    if (auto* reply = std::get_if<events::InviteReply>(&completion)) {
      return finish(std::string(domain::to_string(reply->outcome)), respond,
                    reply_response(*reply, *portal, request_url, media, env_.now_ms()));
    }
    if (auto* failed = std::get_if<PublishFailed>(&completion)) {
      common::log_warn("publish failed", {{"requestId", request_id}, {"error", failed->error}});
      if (failed->queue_full) return finish("overloaded", respond, overloaded_response(media));
      auto response =
          error_response(503, "The message broker is unavailable, retry later", error_type::kBrokerUnavailable, media);
      response.set("Retry-After", "5");
      return finish("broker_unavailable", respond, std::move(response));
    }
    common::log_warn("request timed out",
                     {{"requestId", request_id}, {"invitations", static_cast<std::int64_t>(count)}});
    finish("timeout", respond,
           error_response(504, "The invitation workers did not answer in time; retrying is safe",
                          error_type::kGatewayTimeout, media));
  };
  // Both bounds are checked before anything is published, so a refused request leaves no record behind.
  if (!env_.publisher->has_room(records.size()) || !env_.pending->add(request_id, std::move(on_complete))) {
    return finish("overloaded", respond, overloaded_response(media));
  }
  env_.metrics->pending_requests.set(static_cast<double>(env_.pending->size()));

  env_.schedule(settings_.request_timeout,
                [pending = env_.pending, request_id] { pending->complete(request_id, TimedOut{}); });
  env_.metrics->invitations_published.inc(static_cast<double>(records.size()));
  env_.publisher->publish(records, traceparent.value_or(""),
                          [pending = env_.pending, request_id](const PublishOutcome& published) {
                            if (!published) {
                              const PublishError error = published.error();
                              pending->complete(request_id, PublishFailed{error.message, error.queue_full});
                            }
                          });
}

}  // namespace invite::gateway
