// invite-gateway: wires the HTTP server, the Kafka producer and reply consumer, and the API endpoints.
#include <thread>

#include "api_routes.hpp"
#include "invite/auth/token.hpp"
#include "invite/common/files.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/common/metrics.hpp"
#include "invite/runtime/producer_health.hpp"
#include "invite/runtime/startup.hpp"
#include "kafka_clients.hpp"
#include "ops_endpoints.hpp"
#include "reply_listener.hpp"
#include "request_publisher.hpp"
#include "settings.hpp"
#include "shutdown.hpp"

int main(int argc, char** argv) {
  using namespace invite;
  auto settings_or = gateway::read_settings(argc, argv);
  if (!settings_or) return settings_or.error().value;
  const auto& s = *settings_or;
  common::log_init("invite-gateway", s.log_level);
  common::Registry metrics;
  gateway::PendingRequests pending(s.max_in_flight);
  std::atomic<bool> draining{false};
  http::Router router;
  http::Server server(gateway::server_options(s), [&router](http::Request request, http::Respond respond) {
    router(std::move(request), std::move(respond));
  });
  // Before the slow steps: from here on a signal drains (once the server runs) instead of ending the process.
  gateway::drain_on_signal(server, pending, draining, s.request_timeout);

  auto portals_or = runtime::load_portals(s.portals_file);
  if (!portals_or) return runtime::fail(portals_or.error().message);
  const auto portals = std::move(*portals_or);
  const auto token_secret = common::read_secret(s.token_secret_file);
  if (!token_secret) return runtime::fail("cannot read token secret: " + token_secret.error().message);
  auto kafka_or = gateway::connect_kafka(s);
  if (!kafka_or) return runtime::fail(kafka_or.error().message);
  // Named members, not a structured binding: the ops routes' lambda captures the producer (clang refuses to capture
  // a structured binding, which clang-tidy reports).
  gateway::KafkaClients clients = std::move(*kafka_or);
  std::unique_ptr<kafka::Producer>& producer = clients.producer;
  std::unique_ptr<kafka::Consumer>& consumer = clients.replies;
  gateway::GatewayMetrics gateway_metrics(metrics);
  gateway::ReplyListener replies(*consumer, pending, gateway_metrics, s.reply_partition);
  if (auto started = replies.start(); !started) return runtime::fail("reply partition: " + started.error().message);

  gateway::KafkaRequestPublisher publisher(*producer, s.max_queued_records);
  auth::VerifiedTokens verified_tokens;
  const gateway::InviteEnvironment env{
      &portals,
      *token_secret,
      &publisher,
      &pending,
      &gateway_metrics,
      &common::now_ms,
      [&server](std::chrono::milliseconds delay, std::function<void()> fn) { server.schedule(delay, std::move(fn)); },
      &common::new_uuid,
      &draining,
      &verified_tokens};
  const auto api = gateway::add_api_routes(router, env, s);  // before the server is destroyed: declared after it
  gateway::add_ops_routes(router, runtime::metrics_renderer(metrics, *producer), [&producer, &replies, &draining] {
    return gateway::not_ready_reasons(*producer, replies, draining);
  });
  runtime::add_test_hooks(router, *producer);
  if (auto listening = server.listen(); !listening) return runtime::fail("listen: " + listening.error().message);
  if (auto written = runtime::write_port_file(s.listener.port_file, server.port()); !written) {
    return runtime::fail(written.error().message);
  }
  common::log_info("listening", {{"address", s.listener.address},
                                 {"port", std::int64_t{server.port()}},
                                 {"replyPartition", std::int64_t{s.reply_partition}}});

  std::atomic<bool> stopping{false};
  std::thread reply_thread([&] { replies.run(stopping); });
  server.run();
  stopping = true;
  reply_thread.join();
  consumer->close();
  common::log_info("stopped", {{"undelivered", std::int64_t{producer->flush(std::chrono::seconds(5))}}});
  return 0;
}
