#include "ops_endpoints.hpp"

#include "http_replies.hpp"

namespace invite::gateway {

void add_ops_routes(http::Router& router, common::Registry& metrics,
                    std::function<std::vector<std::string>()> not_ready) {
  router.add("GET", "/healthz", [](http::Request, http::Respond respond) {
    respond(json_response(200, R"({"status":"ok"})", "application/json"));
  });
  router.add("GET", "/readyz", [not_ready = std::move(not_ready)](http::Request, http::Respond respond) {
    const auto reasons = not_ready();
    if (reasons.empty()) return respond(json_response(200, R"({"status":"ready"})", "application/json"));
    std::string joined;
    for (const auto& reason : reasons) joined += (joined.empty() ? "" : "; ") + reason;
    respond(error_response(503, "Not ready: " + joined, "NotReady", "application/json"));
  });
  router.add("GET", "/metrics", [&metrics](http::Request, http::Respond respond) {
    http::Response response;
    response.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    response.body = metrics.render();
    respond(std::move(response));
  });
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
