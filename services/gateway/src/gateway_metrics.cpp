#include "gateway_metrics.hpp"

namespace invite::gateway {

GatewayMetrics::GatewayMetrics(common::Registry& registry)
    : invitations_published(registry.counter("invite_gateway_invitations_published_total",
                                             "Invitation records published to invite.requested.v1")),
      pending_requests(registry.gauge("invite_gateway_pending_requests", "Requests waiting for a worker reply")),
      invite_duration(registry.histogram("invite_gateway_invite_duration_seconds",
                                         "Time from receiving an invite request to answering it",
                                         common::default_latency_buckets())),
      replies(registry.counter("invite_gateway_replies_total", "Worker replies received")),
      late_replies(registry.counter("invite_gateway_late_replies_total",
                                    "Worker replies dropped because their request was already answered or unknown")),
      bad_replies(registry.counter("invite_gateway_bad_replies_total", "Reply records that could not be decoded")),
      mismatched_replies(registry.counter(
          "invite_gateway_mismatched_replies_total",
          "Worker replies that answer another command than the request sent (the request is answered 500)")),
      password_hash_queue(
          registry.gauge("invite_gateway_password_hash_queue", "Password hashes waiting or running in the pool")),
      password_hash_duration(registry.histogram("invite_gateway_password_hash_duration_seconds",
                                                "Time from queuing a password hash to its result, waiting included",
                                                common::default_latency_buckets())),
      password_hash_refused(registry.counter("invite_gateway_password_hash_refused_total",
                                             "Accepts refused with 503 because the hashing pool was full")),
      registry_(registry) {}

common::Counter& GatewayMetrics::invite_requests(int status, const std::string& outcome) {
  return registry_.counter("invite_gateway_invite_requests_total", "Invite requests by HTTP status and outcome",
                           {{"code", std::to_string(status)}, {"outcome", outcome}});
}

}  // namespace invite::gateway

namespace invite::gateway {

common::Counter& GatewayMetrics::lifecycle_requests(std::string_view endpoint, int status, const std::string& outcome) {
  return registry_.counter(
      "invite_gateway_lifecycle_requests_total", "Lifecycle requests by endpoint, HTTP status and outcome",
      {{"endpoint", std::string(endpoint)}, {"code", std::to_string(status)}, {"outcome", outcome}});
}

common::Histogram& GatewayMetrics::lifecycle_duration(std::string_view endpoint) {
  return registry_.histogram("invite_gateway_lifecycle_duration_seconds",
                             "Time from receiving a lifecycle request to answering it",
                             common::default_latency_buckets(), {{"endpoint", std::string(endpoint)}});
}

}  // namespace invite::gateway
