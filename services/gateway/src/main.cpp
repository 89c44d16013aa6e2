// invite-gateway: wires the HTTP server, the Kafka producer and reply consumer, and the invite endpoint.
#include <atomic>
#include <iostream>
#include <thread>

#include "invite/common/files.hpp"
#include "invite/common/flags.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/common/metrics.hpp"
#include "invite/common/signals.hpp"
#include "invite/domain/portal.hpp"
#include "invite/http/server.hpp"
#include "invite/kafka/client.hpp"
#include "invite/runtime/pod_ordinal.hpp"
#include "invite/runtime/producer_health.hpp"
#include "invite/runtime/startup.hpp"
#include "http_replies.hpp"
#include "invite_endpoint.hpp"
#include "ops_endpoints.hpp"
#include "pending_requests.hpp"
#include "reply_listener.hpp"
#include "request_publisher.hpp"

namespace {

using namespace invite;

common::Flags make_flags() {
  return common::Flags(
      "invite-gateway", "HTTP gateway of the invite service: POST /api/2.0/people/invite over Kafka.",
      {
          {"listen-address", "0.0.0.0", "address to listen on"},
          {"port", "8080", "HTTP port (0: any free port, see --port-file)"},
          {"port-file", "", "write the bound port to this file once listening"},
          {"threads", "2", "HTTP worker threads"},
          {"kafka-brokers", "localhost:9092", "Kafka bootstrap servers"},
          {"kafka-config", "", "librdkafka property key=value, e.g. security.protocol=SSL", true},
          {"portals-file", "", "portals JSON file (required)"},
          {"token-secret-file", "", "file holding the HS256 token secret (required)"},
          {"reply-partition", "0", "this gateway's partition of invite.replies.v1"},
          {"pod-name", "", "StatefulSet pod name (e.g. invite-gateway-2); its ordinal becomes --reply-partition"},
          {"request-timeout", "10s", "deadline for the workers' reply (then 504)"},
          {"delivery-timeout", "5s", "how long publishing may take before 503"},
          {"max-in-flight", "10000", "requests waiting for replies before new ones get 503"},
          {"max-invitations-per-request", "1000", "invitations allowed in one request"},
          {"max-body-bytes", "1048576", "largest request body (then 413)"},
          {"max-header-bytes", "32768", "largest request line and header fields together (then 431)"},
          {"max-queued-records", "100000", "records waiting to be sent to Kafka before new requests get 503"},
          {"read-timeout", "30s", "a request's header and body must arrive within this, else the connection closes"},
          {"idle-timeout", "60s", "keep-alive connections without a request are closed after this"},
          {"log-level", "info", "debug, info, warn or error"},
      });
}

}  // namespace

int main(int argc, char** argv) {
  common::block_termination_signals();
  auto flags = make_flags();
  if (auto exit_code = runtime::parse_command_line(flags, argc, argv, "invite-gateway")) return *exit_code;

  const auto port = flags.get_int("port");
  const auto threads = flags.get_int("threads");
  const auto request_timeout = flags.get_duration("request-timeout");
  const auto delivery_timeout = flags.get_duration("delivery-timeout");
  const auto max_in_flight = flags.get_int("max-in-flight");
  const auto max_invitations = flags.get_int("max-invitations-per-request");
  const auto max_body = flags.get_int("max-body-bytes");
  const auto max_header = flags.get_int("max-header-bytes");
  const auto max_queued = flags.get_int("max-queued-records");
  const auto read_timeout = flags.get_duration("read-timeout");
  const auto idle_timeout = flags.get_duration("idle-timeout");
  if (!port || *port < 0 || *port > 65535 || !threads || *threads < 1 ||
      !request_timeout || !delivery_timeout || !max_in_flight || *max_in_flight < 1 || !max_invitations ||
      *max_invitations < 0 || !max_body || *max_body < 1 || !max_header || *max_header < 1 || !max_queued ||
      *max_queued < 1 || !read_timeout || read_timeout->count() < 1 || !idle_timeout || idle_timeout->count() < 1) {
    return runtime::usage_error(flags, "invalid numeric or duration flag value");
  }
  const auto reply_partition_or = runtime::index_from_pod_name(flags, "reply-partition");
  if (auto* message = std::get_if<std::string>(&reply_partition_or)) return runtime::usage_error(flags, *message);
  const std::int32_t reply_partition = std::get<std::int32_t>(reply_partition_or);
  if (*delivery_timeout >= *request_timeout) {
    // Otherwise a broker outage would surface as 504 "workers too slow" instead of 503 "broker unavailable".
    return runtime::usage_error(flags, "--delivery-timeout must be shorter than --request-timeout");
  }
  if (flags.get("portals-file").empty() || flags.get("token-secret-file").empty()) {
    return runtime::usage_error(flags, "--portals-file and --token-secret-file are required");
  }

  auto portals_or = runtime::load_portals(flags.get("portals-file"));
  if (auto* message = std::get_if<std::string>(&portals_or)) return runtime::fail(*message);
  const auto portals = std::get<domain::PortalDirectory>(std::move(portals_or));
  std::string error;
  const auto token_secret = common::read_secret(flags.get("token-secret-file"), &error);
  if (!token_secret) return runtime::fail("cannot read token secret: " + error);
  auto kafka_config_or = runtime::kafka_properties(flags);
  if (auto* message = std::get_if<std::string>(&kafka_config_or)) return runtime::usage_error(flags, *message);
  const auto kafka_config = std::get<kafka::Properties>(std::move(kafka_config_or));
  const std::string brokers = flags.get("kafka-brokers");
  // librdkafka's own queue bound backs ours up (an explicit --kafka-config still wins): past it a record is
  // refused at once instead of growing the queue.
  kafka::Properties producer_config{{"queue.buffering.max.messages", std::to_string(*max_queued)}};
  producer_config.insert(producer_config.end(), kafka_config.begin(), kafka_config.end());
  auto producer_or = kafka::Producer::create(brokers, producer_config, *delivery_timeout, "invite-gateway");
  if (auto* message = std::get_if<std::string>(&producer_or)) return runtime::fail("kafka producer: " + *message);
  auto producer = std::move(std::get<std::unique_ptr<kafka::Producer>>(producer_or));
  auto consumer_or = kafka::Consumer::create(brokers, "", kafka_config, "invite-gateway-replies");
  if (auto* message = std::get_if<std::string>(&consumer_or)) return runtime::fail("kafka consumer: " + *message);
  auto consumer = std::move(std::get<std::unique_ptr<kafka::Consumer>>(consumer_or));

  common::Registry metrics;
  gateway::PendingRequests pending(static_cast<std::size_t>(*max_in_flight));
  gateway::ReplyListener replies(*consumer, pending, metrics, reply_partition);
  if (auto message = replies.start()) return runtime::fail("reply partition: " + *message);

  http::ServerOptions options;
  options.address = flags.get("listen-address");
  options.port = static_cast<std::uint16_t>(*port);
  options.threads = static_cast<int>(*threads);
  options.body_limit = static_cast<std::size_t>(*max_body);
  options.header_limit = static_cast<std::size_t>(*max_header);
  options.read_timeout = *read_timeout;
  options.idle_timeout = *idle_timeout;
  options.transport_error = [limit = *max_body, header_limit = *max_header,
                             fields = options.max_header_fields](int status) {
    if (status == 413) {
      return gateway::error_response(413, "The request body is larger than " + std::to_string(limit) + " bytes",
                                     gateway::error_type::kPayloadTooLarge, "application/json");
    }
    if (status == 431) {
      return gateway::error_response(431, "The request's header fields are larger than " +
                                              std::to_string(header_limit) + " bytes or more than " +
                                              std::to_string(fields) + " fields",
                                     gateway::error_type::kRequestHeaderFieldsTooLarge, "application/json");
    }
    if (status == 501) {
      return gateway::error_response(501, "Only the chunked Transfer-Encoding is implemented",
                                     gateway::error_type::kNotImplemented, "application/json");
    }
    if (status == 500) {
      return gateway::error_response(500, "Internal server error", gateway::error_type::kInternal, "application/json");
    }
    return gateway::error_response(status, "Malformed HTTP request", gateway::error_type::kBadRequest,
                                   "application/json");
  };

  gateway::KafkaRequestPublisher publisher(*producer, static_cast<std::size_t>(*max_queued));
  http::Router router;
  std::unique_ptr<http::Server> server;
  gateway::InviteEnvironment env;
  env.portals = &portals;
  env.token_secret = *token_secret;
  env.publisher = &publisher;
  env.pending = &pending;
  env.metrics = &metrics;
  env.now_ms = &common::now_ms;
  env.schedule = [&server](std::chrono::milliseconds delay, std::function<void()> fn) {
    server->schedule(delay, std::move(fn));
  };
  env.new_id = &common::new_uuid;
  std::atomic<bool> draining{false};
  env.draining = &draining;
  gateway::InviteSettings settings;
  settings.request_timeout = *request_timeout;
  settings.max_invitations = static_cast<std::size_t>(*max_invitations);
  settings.reply_partition = static_cast<int>(reply_partition);
  router.add("POST", "/api/2.0/people/invite", gateway::InviteEndpoint(std::move(env), settings));
  gateway::add_ops_routes(router, runtime::metrics_renderer(metrics, *producer), [&producer, &replies, &draining] {
    std::vector<std::string> reasons;
    if (draining) reasons.emplace_back("shutting down");
    if (producer->recovering()) {
      runtime::add_producer_readiness(*producer, reasons);
    } else if (!producer->connected()) {
      reasons.emplace_back("Kafka producer not connected");
    }
    if (!replies.assigned()) reasons.emplace_back("reply partition not assigned");
    return reasons;
  });
  runtime::add_test_hooks(router, *producer);

  server = std::make_unique<http::Server>(options, [&router](http::Request request, http::Respond respond) {
    router(std::move(request), std::move(respond));
  });
  if (auto message = server->listen()) return runtime::fail("listen: " + *message);
  if (auto message = runtime::write_port_file(flags.get("port-file"), server->port())) return runtime::fail(*message);
  common::log_info("listening", {{"address", options.address},
                                 {"port", std::int64_t{server->port()}},
                                 {"replyPartition", std::int64_t{reply_partition}}});

  std::atomic<bool> stopping{false};
  std::thread reply_thread([&] { replies.run(stopping); });
  std::thread signal_thread = common::on_termination_signal([&](int signo) {
    // Drain: refuse new invites, let published ones get their reply (or their 504), then close.
    common::log_info("draining", {{"signal", std::int64_t{signo}}, {"pending", static_cast<std::int64_t>(pending.size())}});
    draining = true;
    const auto give_up = std::chrono::steady_clock::now() + *request_timeout + std::chrono::seconds(1);
    while (pending.size() > 0 && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    // Let the last responses leave the sockets before the connections close.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    common::log_info("stopping");
    server->stop();
  });

  server->run();
  stopping = true;
  reply_thread.join();
  if (signal_thread.joinable()) {
    // run() only returns after stop(), which the signal thread issued; it is finishing or done.
    signal_thread.join();
  }
  consumer->close();
  const int undelivered = producer->flush(std::chrono::seconds(5));
  common::log_info("stopped", {{"undelivered", std::int64_t{undelivered}}});
  return 0;
}
