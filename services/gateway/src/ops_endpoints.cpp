#include "ops_endpoints.hpp"

#include "http_replies.hpp"
#include "invite/http/ops.hpp"
#include "invite/runtime/producer_health.hpp"

namespace invite::gateway {

void add_ops_routes(http::Router& router, std::function<std::string()> render_metrics,
                    std::function<std::vector<std::string>()> not_ready) {
  http::add_ops_routes(router, std::move(render_metrics), std::move(not_ready));
  router.set_fallbacks(
      [](const http::Request& request) {
        return error_response(404, "Not found", error_type::kNotFound, negotiate_media_type(request.header("Accept")));
      },
      [](const http::Request& request, std::string_view allow) {
        auto response = error_response(405, "Method not allowed", error_type::kMethodNotAllowed,
                                       negotiate_media_type(request.header("Accept")));
        response.set("Allow", std::string(allow));
        return response;
      });
}

std::vector<std::string> not_ready_reasons(const kafka::Producer& producer, const ReplyListener& replies,
                                           bool draining) {
  std::vector<std::string> reasons;
  if (draining) reasons.emplace_back("shutting down");
  if (producer.recovering()) {
    runtime::add_producer_readiness(producer, reasons);
  } else if (!producer.connected()) {
    reasons.emplace_back("Kafka producer not connected");
  }
  if (!replies.assigned()) reasons.emplace_back("reply partition not assigned");
  return reasons;
}

}  // namespace invite::gateway
