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
      registry_(registry) {}

common::Counter& GatewayMetrics::invite_requests(int status, const std::string& outcome) {
  return registry_.counter("invite_gateway_invite_requests_total", "Invite requests by HTTP status and outcome",
                           {{"code", std::to_string(status)}, {"outcome", outcome}});
}

}  // namespace invite::gateway
