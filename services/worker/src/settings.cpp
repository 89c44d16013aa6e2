#include "settings.hpp"

#include <limits>

#include "invite/runtime/partition_ownership.hpp"
#include "invite/runtime/pod_ordinal.hpp"

namespace invite::worker {

runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv) {
  Settings s;
  runtime::Cli cli("invite-worker",
                   "Invite worker: applies invitation requests to SQLite and queues invitation e-mails.");
  runtime::add_kafka_flags(cli, s.kafka);
  cli.text("data-dir", s.data_dir, "", "directory of the partition files (required)", true);
  cli.text("portals-file", s.portals_file, "", "portals JSON file (required)", true);
  cli.text("link-secret-file", s.link_secret_file, "",
           "file holding the secret that signs confirmation links (required)", true);
  cli.value<std::vector<std::int32_t>>(
      "partitions", s.partitions, "all",
      [](std::string_view text) -> common::Result<std::vector<std::int32_t>> {
        if (auto list = runtime::parse_partition_list(text)) return std::move(*list);
        return common::fail("must be all or a list like 0,1,5, got '" + std::string(text) + "'");
      },
      "partitions of invite.requested.v1 to own: all, or a list like 0,1,5");
  runtime::ReplicaFlags replica;
  runtime::add_replica_flags(cli, replica, "invite-worker-1", "invite.requested.v1");
  cli.text("group-id", s.group_id, "invite-worker", "consumer group the worker commits to (for lag monitoring only)");
  cli.duration("delivery-timeout", s.delivery_timeout, "30s",
               "how long one outbox publish may take before it is retried");
  cli.duration("topic-wait", s.topic_wait, "60s",
               "how long to wait for invite.requested.v1 (and then invite.email-status.v1) to exist at start");
  cli.duration("retention", s.retention, "7d", "keep sent outbox rows, applied request ids and day counters this long");
  runtime::add_listener_flags(cli, s.ops, "0.0.0.0", "9100", "address of the /healthz, /readyz and /metrics endpoints",
                              "port of those endpoints (0: any free port, see --port-file)");
  runtime::add_log_level_flag(cli, s.log_level);
  if (auto exit_code = cli.parse(argc, argv)) return runtime::ExitCode(*exit_code);

  const auto resolved = runtime::resolve_replica(cli, replica);
  if (!resolved) return runtime::ExitCode(cli.usage_error(resolved.error().message));
  s.replica_count = resolved->count;
  s.replica_index = resolved->index;
  if (auto exit_code = cli.check_required()) return runtime::ExitCode(*exit_code);
  return s;
}

}  // namespace invite::worker
