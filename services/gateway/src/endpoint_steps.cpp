#include "endpoint_steps.hpp"

#include <algorithm>
#include <stdexcept>

#include "http_replies.hpp"
#include "invite/common/log.hpp"

namespace invite::gateway {
namespace {

constexpr std::string_view kExpiredAuthCookie =
    "asc_auth_key=; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/; HttpOnly";

}  // namespace

void throw_exception_from_error(const Refusal& refusal, const boost::source_location& /*location*/) {
  throw std::logic_error("result holds a refusal: " + refusal.outcome);
}

boost::system::result<Arrival, Refusal> arrive(const InviteEnvironment& env, const http::Request& request) {
  Arrival arrival;
  arrival.started_ms = env.now_ms();
  arrival.media = negotiate_media_type(request.header("Accept"));
  if (env.draining != nullptr && env.draining->load()) {
    auto response =
        error_response(503, "The gateway is shutting down, retry", error_type::kShuttingDown, arrival.media);
    response.set("Retry-After", "1");
    return Refusal("shutting_down", std::move(response));
  }
  arrival.portal = env.portals->find_by_host_header(request.header("Host"));
  if (arrival.portal == nullptr) {
    return Refusal("portal_not_found",
                   error_response(404, "Portal not found", error_type::kPortalNotFound, arrival.media));
  }
  arrival.request_url = arrival.portal->base_url + request.target;
  return arrival;
}

boost::system::result<auth::Claims, Refusal> authenticate(const InviteEnvironment& env, const http::Request& request,
                                                          const Arrival& arrival) {
  const auto token = auth::extract_token(request.header("Cookie"), request.header("Authorization"));
  const auto now_s = arrival.started_ms / 1000;
  auto verified = !token ? boost::system::result<auth::Claims, auth::TokenError>(auth::TokenError::Missing)
                  : env.verified_tokens != nullptr
                      ? env.verified_tokens->verify(token->token, env.token_secret, arrival.portal->host, now_s)
                      : auth::verify_token(token->token, env.token_secret, arrival.portal->host, now_s);
  if (verified) return std::move(*verified);
  auto response = error_response(401, auth::describe(verified.error()), error_type::kUnauthorized, arrival.media);
  // DocSpace deletes a rejected cookie so the browser stops sending it.
  if (token && token->from_cookie) response.set("Set-Cookie", std::string(kExpiredAuthCookie));
  return Refusal("unauthorized", std::move(response));
}

std::optional<Refusal> refuse_content_type(const http::Request& request, std::string_view media) {
  if (is_accepted_content_type(request.header("Content-Type"))) return std::nullopt;
  return Refusal("unsupported_media_type",
                 error_response(415, "Content-Type must be application/json, application/*+json or text/json",
                                error_type::kUnsupportedMediaType, media));
}

http::Response overloaded_response(std::string_view media) {
  auto response = error_response(503, "Too many requests in flight, retry later", error_type::kOverloaded, media);
  response.set("Retry-After", "1");
  return response;
}

Refusal access_denied(std::string_view media) {
  return Refusal("access_denied", error_response(403, "Access denied", error_type::kAccessDenied, media));
}

Refusal unanswered(const Completion& completion, std::string_view media, const std::string& request_id) {
  if (const auto* failed = std::get_if<PublishFailed>(&completion)) {
    common::log_warn("publish failed", {{"requestId", request_id}, {"error", failed->error}});
    if (failed->queue_full) return Refusal("overloaded", overloaded_response(media));
    auto response =
        error_response(503, "The message broker is unavailable, retry later", error_type::kBrokerUnavailable, media);
    response.set("Retry-After", "5");
    return Refusal("broker_unavailable", std::move(response));
  }
  common::log_warn("request timed out", {{"requestId", request_id}});
  return Refusal("timeout", error_response(504, "The invitation workers did not answer in time; retrying is safe",
                                           error_type::kGatewayTimeout, media));
}

bool dispatch(const InviteEnvironment& env, std::size_t records, const std::string& request_id,
              std::int64_t deadline_ms, std::function<void(Completion)> on_complete, const Publish& publish) {
  // Both bounds are checked before anything is published, so a refused request leaves no record behind.
  if (!env.publisher->has_room(records) || !env.pending->add(request_id, std::move(on_complete))) return false;
  env.metrics->pending_requests.set(static_cast<double>(env.pending->size()));
  const auto wait = std::chrono::milliseconds(std::max<std::int64_t>(0, deadline_ms - env.now_ms()));
  env.schedule(wait, [pending = env.pending, request_id] { pending->complete(request_id, TimedOut{}); });
  publish([pending = env.pending, request_id](const PublishOutcome& published) {
    if (!published) {
      const PublishError error = published.error();
      pending->complete(request_id, PublishFailed{error.message, error.queue_full});
    }
  });
  return true;
}

}  // namespace invite::gateway
