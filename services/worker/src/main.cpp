// invite-worker: owns a set of partitions of invite.requested.v1, one SQLite file each; wires Kafka, the stores
// and the worker loop.
#include <atomic>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "invite/common/files.hpp"
#include "invite/common/flags.hpp"
#include "invite/common/log.hpp"
#include "invite/common/metrics.hpp"
#include "invite/common/signals.hpp"
#include "invite/events/events.hpp"
#include "invite/domain/portal.hpp"
#include "invite/kafka/client.hpp"
#include "invite/runtime/ops_server.hpp"
#include "invite/runtime/pod_ordinal.hpp"
#include "invite/runtime/producer_health.hpp"
#include "invite/runtime/startup.hpp"
#include "invite/store/partition_store.hpp"
#include "partition_ownership.hpp"
#include "worker.hpp"

namespace {

using namespace invite;

common::Flags make_flags() {
  return common::Flags(
      "invite-worker", "Invite worker: applies invitation requests to SQLite and queues invitation e-mails.",
      {
          {"kafka-brokers", "localhost:9092", "Kafka bootstrap servers"},
          {"kafka-config", "", "librdkafka property key=value", true},
          {"data-dir", "", "directory of the partition files (required)"},
          {"portals-file", "", "portals JSON file (required)"},
          {"link-secret-file", "", "file holding the secret that signs confirmation links (required)"},
          {"partitions", "all", "partitions of invite.requested.v1 to own: all, or a list like 0,1,5"},
          {"replica-count", "1", "number of worker replicas sharing the partitions"},
          {"replica-index", "0", "this replica's index (a StatefulSet ordinal): owns partitions p % count == index"},
          {"pod-name", "", "StatefulSet pod name (e.g. invite-worker-1); its ordinal becomes --replica-index"},
          {"group-id", "invite-worker", "consumer group the worker commits to (for lag monitoring only)"},
          {"delivery-timeout", "30s", "how long one outbox publish may take before it is retried"},
          {"topic-wait", "60s", "how long to wait for invite.requested.v1 to exist at start"},
          {"retention", "7d", "keep sent outbox rows, applied request ids and day counters this long"},
          {"listen-address", "0.0.0.0", "address of the /healthz, /readyz and /metrics endpoints"},
          {"port", "9100", "port of those endpoints (0: any free port, see --port-file)"},
          {"port-file", "", "write the bound port to this file once listening"},
          {"log-level", "info", "debug, info, warn or error"},
      });
}

}  // namespace

int main(int argc, char** argv) {
  common::block_termination_signals();
  auto flags = make_flags();
  if (auto exit_code = runtime::parse_command_line(flags, argc, argv, "invite-worker")) return *exit_code;

  const auto replica_count = flags.get_int("replica-count");
  const auto delivery_timeout = flags.get_duration("delivery-timeout");
  const auto topic_wait = flags.get_duration("topic-wait");
  const auto retention = flags.get_duration("retention");
  const auto port = flags.get_int("port");
  const auto wanted = worker::parse_partition_list(flags.get("partitions"));
  if (!replica_count || *replica_count < 1 || !delivery_timeout || !topic_wait || !retention || !wanted || !port || *port < 0 || *port > 65535) {
    return runtime::usage_error(flags, "invalid --partitions, --replica-count, --port or duration value");
  }
  const auto replica_index_or = runtime::index_from_pod_name(flags, "replica-index");
  if (auto* message = std::get_if<std::string>(&replica_index_or)) return runtime::usage_error(flags, *message);
  const std::int32_t replica_index = std::get<std::int32_t>(replica_index_or);
  if (replica_index >= *replica_count) {
    // A StatefulSet scaled up without raising --replica-count: its new pods would own nothing (or the wrong share).
    return runtime::usage_error(flags, "replica index " + std::to_string(replica_index) + " is not below --replica-count " +
                                           std::to_string(*replica_count));
  }
  if (flags.get("data-dir").empty() || flags.get("portals-file").empty() || flags.get("link-secret-file").empty()) {
    return runtime::usage_error(flags, "--data-dir, --portals-file and --link-secret-file are required");
  }

  auto portals_or = runtime::load_portals(flags.get("portals-file"));
  if (auto* message = std::get_if<std::string>(&portals_or)) return runtime::fail(*message);
  const auto portals = std::get<domain::PortalDirectory>(std::move(portals_or));
  std::string error;
  const auto link_secret = common::read_secret(flags.get("link-secret-file"), &error);
  if (!link_secret) return runtime::fail("cannot read link secret: " + error);
  auto kafka_config_or = runtime::kafka_properties(flags);
  if (auto* message = std::get_if<std::string>(&kafka_config_or)) return runtime::usage_error(flags, *message);
  const auto kafka_config = std::get<kafka::Properties>(std::move(kafka_config_or));
  const std::string topic(events::topics::kRequested);
  auto kafka_or = runtime::connect_kafka(flags, kafka_config, "invite-worker", *delivery_timeout, topic, *topic_wait);
  if (auto* message = std::get_if<std::string>(&kafka_or)) return runtime::fail(*message);
  auto [producer, consumer, partition_count] = std::get<runtime::KafkaClients>(std::move(kafka_or));

  const auto owned = worker::owned_partitions(partition_count, *wanted, static_cast<int>(*replica_count),
                                              static_cast<int>(replica_index));
  if (owned.empty()) return runtime::fail("this replica owns no partition of " + topic);
  std::map<std::int32_t, std::unique_ptr<store::PartitionStore>> stores;
  for (std::int32_t partition : owned) {
    const auto file = store::PartitionStore::file_for(flags.get("data-dir"), partition);
    auto opened = store::PartitionStore::open(file);
    if (auto* message = std::get_if<std::string>(&opened)) return runtime::fail("cannot open " + file.string() + ": " + *message);
    stores.emplace(partition, std::move(std::get<std::unique_ptr<store::PartitionStore>>(opened)));
  }
  std::ostringstream owned_text;
  for (std::int32_t p : owned) owned_text << (owned_text.tellp() > 0 ? "," : "") << p;

  common::Registry metrics;
  worker::WorkerEnvironment env{consumer.get(), producer.get(), &portals, *link_secret, &metrics, *retention};
  worker::Worker worker(std::move(env), std::move(stores));

  auto ops_or = runtime::OpsServer::start(
      flags, "invite-worker", runtime::metrics_renderer(metrics, *producer),
      [&worker, &producer] {
        std::vector<std::string> reasons;
        if (!worker.ready()) reasons.emplace_back("partitions not assigned");
        runtime::add_producer_readiness(*producer, reasons);
        return reasons;
      },
      [&producer](http::Router& router) { runtime::add_test_hooks(router, *producer); });
  if (auto* message = std::get_if<std::string>(&ops_or)) return runtime::fail(*message);
  const auto ops = std::move(std::get<std::unique_ptr<runtime::OpsServer>>(ops_or));

  if (auto message = worker.start()) return runtime::fail("start: " + *message);
  common::log_info("worker started", {{"partitions", owned_text.str()},
                                      {"replicaIndex", std::int64_t{replica_index}},
                                      {"partitionCount", std::int64_t{partition_count}},
                                      {"port", std::int64_t{ops->port()}}});

  const int exit_code = runtime::run_until_signal([&worker](const std::atomic<bool>& stop) { return worker.run(stop); });
  consumer->close();
  common::log_info("stopped");
  return exit_code;
}
