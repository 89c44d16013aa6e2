#include "invite/runtime/ops_server.hpp"

#include <thread>

#include "invite/http/ops.hpp"
#include "invite/http/server.hpp"
#include "invite/runtime/startup.hpp"

namespace invite::runtime {

struct OpsServer::Impl {
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
};

std::variant<std::unique_ptr<OpsServer>, std::string> OpsServer::start(
    const Listener& listener, const std::string& server_name, std::function<std::string()> render_metrics,
    std::function<std::vector<std::string>()> not_ready, const std::function<void(http::Router&)>& more_routes) {
  auto impl = std::make_unique<Impl>();
  http::add_ops_routes(impl->router, std::move(render_metrics), std::move(not_ready));
  if (more_routes) more_routes(impl->router);
  http::ServerOptions options;
  options.address = listener.address;
  options.port = listener.port;
  options.threads = 1;
  options.server_name = server_name;
  impl->server =
      std::make_unique<http::Server>(options, [router = &impl->router](http::Request request, http::Respond respond) {
        (*router)(std::move(request), std::move(respond));
      });
  if (auto message = impl->server->listen()) return "listen: " + *message;
  if (auto message = write_port_file(listener.port_file, impl->server->port())) return *message;
  impl->thread = std::thread([server = impl->server.get()] { server->run(); });
  return std::unique_ptr<OpsServer>(new OpsServer(std::move(impl)));
}

OpsServer::OpsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

OpsServer::~OpsServer() {
  impl_->server->stop();
  impl_->thread.join();
}

std::uint16_t OpsServer::port() const { return impl_->server->port(); }

}  // namespace invite::runtime
