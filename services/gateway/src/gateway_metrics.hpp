#pragma once
// The gateway's metric families, declared once: names, help texts and buckets live here and nowhere else.
#include <string>
#include <string_view>

#include "invite/common/metrics.hpp"

namespace invite::gateway {

struct GatewayMetrics {
  explicit GatewayMetrics(common::Registry& registry);

  // invite_gateway_invite_requests_total{code,outcome}: a series appears with the first answer of its kind.
  common::Counter& invite_requests(int status, const std::string& outcome);

  // invite_gateway_lifecycle_requests_total{endpoint,code,outcome}: the lifecycle endpoints' answers; endpoint is
  // the command's name (confirm, accept, resend, list, disable, delete).
  common::Counter& lifecycle_requests(std::string_view endpoint, int status, const std::string& outcome);
  // invite_gateway_lifecycle_duration_seconds{endpoint}: from receiving the request to answering it.
  common::Histogram& lifecycle_duration(std::string_view endpoint);

  common::Counter& invitations_published;
  common::Gauge& pending_requests;
  common::Histogram& invite_duration;
  common::Counter& replies;
  common::Counter& late_replies;
  common::Counter& bad_replies;
  common::Counter& mismatched_replies;  // replies whose command is not the one the request sent (answered 500)
  common::Gauge& password_hash_queue;   // accept hashes waiting or running
  common::Histogram& password_hash_duration;
  common::Counter& password_hash_refused;  // accepts answered 503 because the hashing pool was full

 private:
  common::Registry& registry_;
};

}  // namespace invite::gateway
