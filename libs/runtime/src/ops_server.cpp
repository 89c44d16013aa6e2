#include "invite/runtime/ops_server.hpp"

#include <thread>

#include "invite/http/ops.hpp"
#include "invite/http/server.hpp"
#include "invite/runtime/producer_health.hpp"
#include "invite/runtime/startup.hpp"

namespace invite::runtime {

struct OpsServer::Impl {
  http::Router router;
  std::unique_ptr<http::Server> server;
  std::thread thread;
};

common::Result<std::unique_ptr<OpsServer>> OpsServer::start(const Listener& listener, const std::string& server_name,
                                                            common::Registry& metrics, kafka::Producer& producer,
                                                            std::function<bool()> partitions_assigned) {
  auto impl = std::make_unique<Impl>();
  auto not_ready = [&producer, assigned = std::move(partitions_assigned)] {
    std::vector<std::string> reasons;
    if (!assigned()) reasons.emplace_back("partitions not assigned");
    add_producer_readiness(producer, reasons);
    return reasons;
  };
  http::add_ops_routes(impl->router, metrics_renderer(metrics, producer), std::move(not_ready));
  add_test_hooks(impl->router, producer);
  http::ServerOptions options;
  options.address = listener.address;
  options.port = listener.port;
  options.threads = 1;
  options.server_name = server_name;
  impl->server =
      std::make_unique<http::Server>(options, [router = &impl->router](http::Request request, http::Respond respond) {
        (*router)(std::move(request), std::move(respond));
      });
  if (auto listening = impl->server->listen(); !listening) return common::fail("listen: " + listening.error().message);
  if (auto written = write_port_file(listener.port_file, impl->server->port()); !written) return written.error();
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
