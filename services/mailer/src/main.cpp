// invite-mailer: sends the invitation e-mails of invite.emails.v1 (SMTP, or .eml files without an SMTP server)
// and announces each attempt's outcome on invite.email-status.v1; wires settings, Kafka, its SQLite file, the
// templates and a sender to the mailer loop.
#include "invite/common/log.hpp"
#include "invite/common/metrics.hpp"
#include "invite/events/events.hpp"
#include "invite/mail/template_files.hpp"
#include "invite/runtime/ops_server.hpp"
#include "invite/runtime/partition_ownership.hpp"
#include "invite/runtime/startup.hpp"
#include "invite/runtime/termination.hpp"
#include "invite/store/mailer_store.hpp"
#include "mailer.hpp"
#include "settings.hpp"

int main(int argc, char** argv) {
  using namespace invite;
  runtime::TerminationSignals signals;
  auto settings_or = mailer::read_settings(argc, argv);
  if (!settings_or) return settings_or.error().value;
  auto& s = *settings_or;
  common::log_init("invite-mailer", s.log_level);

  auto sender_or = mailer::make_sender(s);
  if (!sender_or) return runtime::fail(sender_or.error().message);
  auto sender = std::move(*sender_or);
  auto templates_or = mail::load_templates(s.templates_dir);
  if (!templates_or) return runtime::fail("templates: " + templates_or.error().message);
  const auto templates = std::move(*templates_or);
  domain::PortalDirectory portals;
  if (!s.portals_file.empty()) {
    auto portals_or = runtime::load_portals(s.portals_file);
    if (!portals_or) return runtime::fail(portals_or.error().message);
    portals = std::move(*portals_or);
  }
  auto store_or = store::MailerStore::open(std::filesystem::path(s.data_dir) / "mailer.sqlite");
  if (!store_or) return runtime::fail("cannot open " + store_or.error().message);
  auto store = std::move(*store_or);

  const std::string topic(events::topics::kEmails);
  auto kafka_or = runtime::connect_kafka(s.kafka, s.group_id, "invite-mailer", s.delivery_timeout, topic, s.topic_wait);
  if (!kafka_or) return runtime::fail(kafka_or.error().message);
  auto [producer, consumer, partition_count] = std::move(*kafka_or);
  const auto owned = runtime::owned_partitions(partition_count, {}, s.replica_count, s.replica_index);
  if (owned.empty()) return runtime::fail("this replica owns no partition of " + topic);

  common::Registry metrics;
  mailer::MailerEnvironment env{consumer.get(),
                                producer.get(),
                                store.get(),
                                sender.get(),
                                &templates,
                                &portals,
                                &metrics,
                                owned,
                                s.mailer,
                                mailer::delivery_announcer(s),
                                mailer::jitter_source()};
  mailer::Mailer mailer(std::move(env));

  auto ops =
      runtime::OpsServer::start(s.ops, "invite-mailer", metrics, *producer, [&mailer] { return mailer.ready(); });
  if (!ops) return runtime::fail(ops.error().message);

  if (auto started = mailer.start(); !started) return runtime::fail("start: " + started.error().message);
  common::log_info("mailer started", {{"sender", sender->describe()},
                                      {"templates", s.templates_dir},
                                      {"cultures", std::int64_t(templates.cultures().size())},
                                      {"partitions", std::int64_t(owned.size())},
                                      {"replicaIndex", std::int64_t{s.replica_index}},
                                      {"port", std::int64_t{(*ops)->port()}}});
  const int exit_code = signals.run_until_signal([&mailer](const std::atomic<bool>& stop) { return mailer.run(stop); });
  consumer->close();
  common::log_info("stopped");
  return exit_code;
}
