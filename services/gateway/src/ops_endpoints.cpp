#include "ops_endpoints.hpp"

#include "http_replies.hpp"
#include "invite/http/ops.hpp"

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

}  // namespace invite::gateway
