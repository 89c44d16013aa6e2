#pragma once
// The steps every endpoint of the gateway shares, in the invite endpoint's order (docs/architecture.md, "Request
// flow"): draining (503) -> portal by Host (404) -> token (401) -> content type (415) -> ... -> room for the request
// (503) -> publish and wait for the reply (503 when a delivery fails, 504 at the deadline). Each endpoint calls the
// ones it needs; a refusal carries the HTTP answer and the outcome its metric counts it under.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include "gateway_metrics.hpp"
#include "invite/auth/token.hpp"
#include "invite/domain/portal.hpp"
#include "invite/http/server.hpp"
#include "pending_requests.hpp"
#include "request_publisher.hpp"

namespace invite::gateway {

// What the endpoints need from their surroundings, injected so tests control time and scheduling.
struct InviteEnvironment {
  const domain::PortalDirectory* portals = nullptr;
  std::string token_secret;
  RequestPublisher* publisher = nullptr;
  PendingRequests* pending = nullptr;
  GatewayMetrics* metrics = nullptr;
  std::function<std::int64_t()> now_ms;
  // Runs fn on the server's threads after the delay (deadlines; also the way back from the hashing pool).
  std::function<void(std::chrono::milliseconds, std::function<void()>)> schedule;
  std::function<std::string()> new_id;
  // Set while the gateway shuts down: new requests get 503 so clients retry on another replica, while requests
  // already published still get their answer.
  const std::atomic<bool>* draining = nullptr;
  // Remembers verified tokens (main wires one); without it every request's token is decoded again.
  auth::VerifiedTokens* verified_tokens = nullptr;
};

// A request refused before (or instead of) a worker's answer: the response and the outcome label of its metric.
// Not an aggregate (declared constructor), so that a result never has to guess which side a value is.
struct Refusal {
  Refusal() = default;  // boost::system::result wants one
  Refusal(std::string outcome_label, http::Response answer)
      : outcome(std::move(outcome_label)), response(std::move(answer)) {}
  std::string outcome;
  http::Response response;
};
[[noreturn]] void throw_exception_from_error(const Refusal& refusal, const boost::source_location& location);

// A request that passed the first two steps: not draining, a known portal.
struct Arrival {
  std::string media;  // the negotiated media type of every answer
  std::int64_t started_ms = 0;
  const domain::Portal* portal = nullptr;
  std::string request_url;  // the portal's base URL and the request's target, for the envelopes' links
};
boost::system::result<Arrival, Refusal> arrive(const InviteEnvironment& env, const http::Request& request);

// The caller's verified token; 401 Unauthorized otherwise (DocSpace expires a rejected cookie).
boost::system::result<auth::Claims, Refusal> authenticate(const InviteEnvironment& env, const http::Request& request,
                                                          const Arrival& arrival);

// 415 unless the body is application/json, application/*+json or text/json.
std::optional<Refusal> refuse_content_type(const http::Request& request, std::string_view media);

// 503 Overloaded with Retry-After: too many requests waiting for replies, or records waiting for Kafka.
http::Response overloaded_response(std::string_view media);
// 403 AccessDenied.
Refusal access_denied(std::string_view media);

// The answer to a request that ends without a reply: a failed delivery (503 BrokerUnavailable, or Overloaded when
// the producer's queue was full) or the deadline (504). Logged with the request id.
Refusal unanswered(const Completion& completion, std::string_view media, const std::string& request_id);

// Publishes `records` records of one request: the function is given the delivery callback to pass the publisher.
using Publish = std::function<void(std::function<void(PublishOutcome)> on_delivered)>;

// Registers the request in the pending map, arms its deadline (504 at deadline_ms) and publishes. False, with
// nothing published and nothing registered, when the producer's queue or the pending map is full (503).
bool dispatch(const InviteEnvironment& env, std::size_t records, const std::string& request_id,
              std::int64_t deadline_ms, std::function<void(Completion)> on_complete, const Publish& publish);

}  // namespace invite::gateway
