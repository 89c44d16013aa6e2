#pragma once
// The gateway's metric families, declared once: names, help texts and buckets live here and nowhere else.
#include <string>

#include "invite/common/metrics.hpp"

namespace invite::gateway {

struct GatewayMetrics {
  explicit GatewayMetrics(common::Registry& registry);

  // invite_gateway_invite_requests_total{code,outcome}: a series appears with the first answer of its kind.
  common::Counter& invite_requests(int status, const std::string& outcome);

  common::Counter& invitations_published;
  common::Gauge& pending_requests;
  common::Histogram& invite_duration;
  common::Counter& replies;
  common::Counter& late_replies;
  common::Counter& bad_replies;

 private:
  common::Registry& registry_;
};

}  // namespace invite::gateway
