#pragma once
// The operational endpoints every service exposes to Kubernetes and Prometheus:
//   GET /healthz  200 while the process serves at all (liveness)
//   GET /readyz   200 when not_ready() is empty, else 503 naming what is missing (readiness)
//   GET /metrics  Prometheus text exposition format 0.0.4
#include <functional>
#include <string>
#include <vector>

#include "invite/http/server.hpp"

namespace invite::http {

void add_ops_routes(Router& router, std::function<std::string()> render_metrics,
                    std::function<std::vector<std::string>()> not_ready);

}  // namespace invite::http
