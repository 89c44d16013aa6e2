// invite-worker: owns a set of partitions of invite.requested.v1, one SQLite file each; wires Kafka, the stores
// and the worker loop.
#include <map>
#include <sstream>

#include "invite/common/files.hpp"
#include "invite/common/log.hpp"
#include "invite/common/metrics.hpp"
#include "invite/events/events.hpp"
#include "invite/runtime/ops_server.hpp"
#include "invite/runtime/partition_ownership.hpp"
#include "invite/runtime/startup.hpp"
#include "invite/runtime/termination.hpp"
#include "invite/store/partition_store.hpp"
#include "settings.hpp"
#include "worker.hpp"

int main(int argc, char** argv) {
  using namespace invite;
  runtime::TerminationSignals signals;
  auto settings_or = worker::read_settings(argc, argv);
  if (!settings_or) return settings_or.error().value;
  const auto& s = *settings_or;
  common::log_init("invite-worker", s.log_level);

  auto portals_or = runtime::load_portals(s.portals_file);
  if (!portals_or) return runtime::fail(portals_or.error().message);
  const auto portals = std::move(*portals_or);
  const auto link_secret = common::read_secret(s.link_secret_file);
  if (!link_secret) return runtime::fail("cannot read link secret: " + link_secret.error().message);
  const std::string topic(events::topics::kRequested);
  auto kafka_or = runtime::connect_kafka(s.kafka, s.group_id, "invite-worker", s.delivery_timeout, topic, s.topic_wait);
  if (!kafka_or) return runtime::fail(kafka_or.error().message);
  auto [producer, consumer, partition_count] = std::move(*kafka_or);
  // The worker follows the mailer's statuses (docs/architecture.md): it waits for that topic as for its own, since
  // the devstack, invitectl topics and the manifests create both before any service starts; one that never appears
  // is a deployment error to report, not a reason to run without delivery outcomes unnoticed.
  const std::string status_topic(events::topics::kEmailStatus);
  auto status_partitions = runtime::wait_for_topic(*producer, status_topic, s.topic_wait);
  if (!status_partitions) return runtime::fail(status_partitions.error().message);

  const auto owned = runtime::owned_partitions(partition_count, s.partitions, s.replica_count, s.replica_index);
  if (owned.empty()) return runtime::fail("this replica owns no partition of " + topic);
  common::Registry metrics;
  // Checkpoints off the commit path: every request waits for its group's commit.
  const auto checkpoints = worker::background_checkpoints(metrics);
  std::map<std::int32_t, std::unique_ptr<store::PartitionStore>> stores;
  for (std::int32_t partition : owned) {
    const auto file = store::PartitionStore::file_for(s.data_dir, partition);
    auto opened = store::PartitionStore::open(file, checkpoints);
    if (!opened) return runtime::fail("cannot open " + file.string() + ": " + opened.error().message);
    stores.emplace(partition, std::move(*opened));
  }
  std::ostringstream owned_text;
  for (std::int32_t p : owned) owned_text << (owned_text.tellp() > 0 ? "," : "") << p;

  worker::WorkerEnvironment env{consumer.get(), producer.get(),     &portals,   *link_secret,
                                &metrics,       *status_partitions, s.retention};
  worker::Worker worker(std::move(env), std::move(stores));

  auto ops =
      runtime::OpsServer::start(s.ops, "invite-worker", metrics, *producer, [&worker] { return worker.ready(); });
  if (!ops) return runtime::fail(ops.error().message);

  if (auto started = worker.start(); !started) return runtime::fail("start: " + started.error().message);
  common::log_info("worker started", {{"partitions", owned_text.str()},
                                      {"replicaIndex", std::int64_t{s.replica_index}},
                                      {"partitionCount", std::int64_t{partition_count}},
                                      {"port", std::int64_t{(*ops)->port()}}});

  const int exit_code = signals.run_until_signal([&worker](const std::atomic<bool>& stop) { return worker.run(stop); });
  consumer->close();
  common::log_info("stopped");
  return exit_code;
}
