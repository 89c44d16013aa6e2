#include "settings.hpp"

#include <cstdlib>

#include "invite/common/files.hpp"
#include "invite/common/text.hpp"

namespace invite::devstack {

runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv) {
  Settings s;
  runtime::Cli cli("invite-devstack",
                   "Runs the invite service locally: an embedded Kafka (or --kafka-brokers), invite-gateway, "
                   "invite-worker and invite-mailer. Writes <data-dir>/devstack.json; Ctrl-C stops everything. Other "
                   "INVITE_* environment variables reach the children (e.g. INVITE_REQUEST_TIMEOUT for the gateway, "
                   "INVITE_SMTP_URL for the mailer, which otherwise writes <data-dir>/outbox-mail/*.eml).");
  std::string data_dir, bin_dir;
  std::int64_t port = 0, partitions = 0, replicas = 0, min_isr = 0;
  bool no_mailer = false;
  cli.text("data-dir", data_dir, "",
           "directory for secrets, portals file, SQLite files, logs and devstack.json (required)", true);
  cli.integer("port", port, "8080", 0, 65535, "HTTP port of the gateway; 0 picks a free one");
  cli.text("listen-address", s.listen_address, "127.0.0.1", "address the gateway listens on");
  cli.text("kafka-brokers", s.kafka.brokers, "",
           "bootstrap servers of a real cluster; empty runs an embedded mock cluster");
  cli.integer("partitions", partitions, "4", 1, 1000,
              "partitions of every topic the devstack creates (embedded cluster, or missing topics of --kafka-brokers; "
              "the dead-letter topic gets 1 there); an existing topic with fewer is refused");
  cli.integer("replication-factor", replicas, "1", 1, 100,
              "replicas of every topic created on --kafka-brokers (at most its number of brokers)");
  cli.integer("min-insync-replicas", min_isr, "1", 1, 100,
              "min.insync.replicas of every topic created on --kafka-brokers (at most --replication-factor)");
  cli.text("portal", s.portal, "localhost", "host name of the single portal written to a new portals file");
  cli.text("bin-dir", bin_dir, "",
           "where invite-gateway, invite-worker and invite-mailer are (default: next to this executable)");
  cli.key_values("kafka-config", s.kafka.config, "librdkafka property key=value for the children");
  cli.text("log-level", s.log_level_name, "info", "debug, info, warn or error (also passed to the children)");
  cli.toggle("no-mailer", no_mailer, "do not run invite-mailer (to run your own against the brokers)");
  if (auto exit_code = cli.parse(argc, argv)) return runtime::ExitCode(*exit_code);
  if (auto exit_code = cli.check_required()) return runtime::ExitCode(*exit_code);

  if (min_isr > replicas)
    return runtime::ExitCode(cli.usage_error("--min-insync-replicas must be in 1..--replication-factor"));
  s.portal = common::ascii_lower(s.portal);
  if (s.portal.empty()) return runtime::ExitCode(cli.usage_error("--portal must not be empty"));
  const auto level = common::parse_log_level(s.log_level_name);
  if (!level) return runtime::ExitCode(cli.usage_error("unknown --log-level '" + s.log_level_name + "'"));
  s.log_level = *level;
  s.data_dir = std::filesystem::absolute(data_dir);
  s.bin_dir = bin_dir.empty() ? common::executable_dir() : std::filesystem::path(bin_dir);
  s.port = static_cast<unsigned short>(port);
  s.partitions = static_cast<int>(partitions);
  s.replication_factor = static_cast<int>(replicas);
  s.min_insync_replicas = static_cast<int>(min_isr);
  s.mailer = !no_mailer;
  // The children share flag names with us (--port, --partitions, ...) but not meanings, and they would read our
  // environment twins (INVITE_PORT, ...) as their own. What they need from us goes on their command lines; every
  // other INVITE_* variable still reaches them, to tune them.
  for (const std::string& name : cli.env_names()) ::unsetenv(name.c_str());
  return s;
}

}  // namespace invite::devstack
