#include "invite/http/ops.hpp"

#include <nlohmann/json.hpp>

#include "invite/http/error_envelope.hpp"

namespace invite::http {
namespace {

Response json(int status, const nlohmann::ordered_json& body) {
  Response response;
  response.status = status;
  response.set("Content-Type", "application/json; charset=utf-8");
  response.body = body.dump();
  return response;
}

}  // namespace

void add_ops_routes(Router& router, std::function<std::string()> render_metrics,
                    std::function<std::vector<std::string>()> not_ready) {
  router.add("GET", "/healthz", [](Request, Respond respond) { respond(json(200, {{"status", "ok"}})); });
  router.add("GET", "/readyz", [not_ready = std::move(not_ready)](Request, Respond respond) {
    const auto reasons = not_ready();
    if (reasons.empty()) return respond(json(200, {{"status", "ready"}}));
    std::string joined;
    for (const auto& reason : reasons) joined += (joined.empty() ? "" : "; ") + reason;
    respond(json_error(503, "Not ready: " + joined, "NotReady"));
  });
  router.add("GET", "/metrics", [render = std::move(render_metrics)](Request, Respond respond) {
    Response response;
    response.set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
    response.body = render();
    respond(std::move(response));
  });
}

}  // namespace invite::http
