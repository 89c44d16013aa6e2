#pragma once
// The HTTP endpoints a Kafka-driven service (worker, mailer) serves beside its loop: /healthz, /readyz and
// /metrics on --listen-address and --port, the bound port written to --port-file, on a thread of its own.
// Both services are ready on the same terms: their partitions are assigned and their producer is not recovering
// from a fatal error; both offer the test hooks (runtime::add_test_hooks) when the environment enables them.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/common/result.hpp"
#include "invite/kafka/client.hpp"
#include "invite/runtime/shared_flags.hpp"

namespace invite::http {
class Router;
class Server;
}  // namespace invite::http

namespace invite::runtime {

class OpsServer {
 public:
  // Listening and serving when it returns; an error (address in use, unwritable port file) otherwise.
  // partitions_assigned is called from the server's thread; metrics and producer must outlive the server.
  static common::Result<std::unique_ptr<OpsServer>> start(const Listener& listener, const std::string& server_name,
                                                          common::Registry& metrics, kafka::Producer& producer,
                                                          std::function<bool()> partitions_assigned);
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
