#pragma once
// The HTTP endpoints a Kafka-driven service (worker, mailer) serves beside its loop: /healthz, /readyz and
// /metrics on --listen-address and --port, the bound port written to --port-file, on a thread of its own.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "invite/runtime/shared_flags.hpp"

namespace invite::http {
class Router;
class Server;
}  // namespace invite::http

namespace invite::runtime {

class OpsServer {
 public:
  // Listening and serving when it returns; an error (address in use, unwritable port file) otherwise.
  // more_routes may add routes of the service's own (runtime::add_test_hooks).
  static std::variant<std::unique_ptr<OpsServer>, std::string> start(
      const Listener& listener, const std::string& server_name, std::function<std::string()> render_metrics,
      std::function<std::vector<std::string>()> not_ready, const std::function<void(http::Router&)>& more_routes = {});
  ~OpsServer();  // stops serving and joins the thread
  OpsServer(const OpsServer&) = delete;
  OpsServer& operator=(const OpsServer&) = delete;

  std::uint16_t port() const;

 private:
  struct Impl;
  explicit OpsServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace invite::runtime
