// invite-mailer: sends the invitation e-mails of invite.emails.v1 (SMTP, or .eml files without an SMTP server)
// and announces each attempt's outcome on invite.email-status.v1; wires flags, Kafka, its SQLite file, the
// templates and a sender to the mailer loop.
#include <atomic>
#include <charconv>
#include <iostream>
#include <random>

#include "invite/common/files.hpp"
#include "invite/common/flags.hpp"
#include "invite/common/log.hpp"
#include "invite/common/metrics.hpp"
#include "invite/common/process.hpp"
#include "invite/common/signals.hpp"
#include "invite/common/text.hpp"
#include "invite/events/events.hpp"
#include "invite/domain/validation.hpp"
#include "invite/kafka/client.hpp"
#include "invite/mail/eml_sender.hpp"
#include "invite/mail/smtp_sender.hpp"
#include "invite/mail/template_files.hpp"
#include "invite/runtime/ops_server.hpp"
#include "invite/runtime/pod_ordinal.hpp"
#include "invite/runtime/producer_health.hpp"
#include "invite/runtime/startup.hpp"
#include "invite/store/mailer_store.hpp"
#include "mailer.hpp"

namespace {

using namespace invite;
namespace fs = std::filesystem;

common::Flags make_flags() {
  return common::Flags(
      "invite-mailer",
      "Invite mailer: sends the invitation e-mails queued on invite.emails.v1 over SMTP (or, without --smtp-url, "
      "writes each as an .eml file into --outbox-dir) and publishes their delivery status on "
      "invite.email-status.v1.",
      {
          {"kafka-brokers", "localhost:9092", "Kafka bootstrap servers"},
          {"kafka-config", "", "librdkafka property key=value", true},
          {"group-id", "invite-mailer", "consumer group: where the mailer resumes, and its lag"},
          {"data-dir", "", "directory of mailer.sqlite, the jobs seen and their delivery state (required)"},
          {"smtp-url", "", "smtp://host:port or smtps://host:port (a path names the EHLO domain); empty: .eml files"},
          {"smtp-user", "", "SMTP AUTH user (AUTH only when set)"},
          {"smtp-password-file", "", "file holding the SMTP AUTH password"},
          {"smtp-starttls", "opportunistic", "STARTTLS on smtp://: off, opportunistic (when offered) or required"},
          {"smtp-ca-file", "", "PEM CA bundle to verify the SMTP server with (default: the system's)"},
          {"smtp-connect-timeout", "10s", "connecting to the SMTP server, TLS included"},
          {"smtp-timeout", "60s", "one whole message, connection included; then the attempt is retried"},
          {"outbox-dir", "", "without --smtp-url: write each e-mail as <eventId>.eml here and print its path"},
          {"from", "no-reply@localhost", "sender address (MAIL FROM and From; the portal's name is its display name)"},
          {"templates-dir", "", "invitation.html, invitation.txt and <culture>/invitation.json "
                                "(default: ../share/invite-mailer/templates next to the binary)"},
          {"portals-file", "", "portals JSON file: each portal's defaultCulture is a fallback for its e-mails"},
          {"default-culture", "en-US", "fallback culture for portals not in --portals-file"},
          {"rate-per-domain", "5", "e-mails per second to one recipient domain (e.g. 0.5; 0: no limit)"},
          {"burst-per-domain", "5", "e-mails a quiet recipient domain may get at once"},
          {"retry-initial", "5s", "pause after the first transient failure; doubles each time (with jitter)"},
          {"retry-max", "30m", "longest pause between two attempts"},
          {"max-attempts", "15", "attempts before a transiently failing e-mail fails for good"},
          {"retention", "14d", "keep decided jobs this long (to recognise redelivered records)"},
          {"replica-count", "1", "number of mailer replicas sharing the partitions of invite.emails.v1"},
          {"replica-index", "0", "this replica's index: owns partitions p % count == index"},
          {"pod-name", "", "StatefulSet pod name (e.g. invite-mailer-1); its ordinal becomes --replica-index"},
          {"delivery-timeout", "30s", "how long publishing one status event may take before it is retried"},
          {"topic-wait", "60s", "how long to wait for invite.emails.v1 to exist at start"},
          {"listen-address", "0.0.0.0", "address of the /healthz, /readyz and /metrics endpoints"},
          {"port", "9101", "port of those endpoints (0: any free port, see --port-file)"},
          {"port-file", "", "write the bound port to this file once listening"},
          {"log-level", "info", "debug, info, warn or error"},
      });
}

std::optional<double> parse_rate(const std::string& text) {
  const auto trimmed = common::trim(text);
  double value = 0;
  const auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
  if (trimmed.empty() || ec != std::errc() || end != trimmed.data() + trimmed.size() || value < 0) return std::nullopt;
  return value;
}

std::variant<std::unique_ptr<mail::Sender>, std::string> make_sender(const common::Flags& flags) {
  if (flags.get("smtp-url").empty()) {
    if (flags.get("outbox-dir").empty()) return std::string("--smtp-url or --outbox-dir is required");
    return mail::make_eml_sender(flags.get("outbox-dir"));
  }
  mail::SmtpSettings smtp;
  smtp.url = flags.get("smtp-url");
  smtp.user = flags.get("smtp-user");
  if (!flags.get("smtp-password-file").empty()) {
    std::string error;
    auto password = common::read_secret(flags.get("smtp-password-file"), &error);
    if (!password) return "cannot read --smtp-password-file: " + error;
    smtp.password = std::move(*password);
  }
  const auto starttls = mail::parse_starttls(flags.get("smtp-starttls"));
  const auto connect_timeout = flags.get_duration("smtp-connect-timeout");
  const auto timeout = flags.get_duration("smtp-timeout");
  if (!starttls) return std::string("--smtp-starttls must be off, opportunistic or required");
  if (!connect_timeout || !timeout || connect_timeout->count() == 0 || timeout->count() == 0) {
    return std::string("--smtp-connect-timeout and --smtp-timeout must be positive durations");
  }
  smtp.starttls = *starttls;
  smtp.connect_timeout = *connect_timeout;
  smtp.timeout = *timeout;
  smtp.ca_file = flags.get("smtp-ca-file");
  return mail::make_smtp_sender(std::move(smtp));
}

std::optional<mailer::MailerSettings> read_settings(const common::Flags& flags) {
  mailer::MailerSettings settings;
  settings.from_address = std::string(common::trim(flags.get("from")));
  settings.default_culture = flags.get("default-culture");
  const auto rate = parse_rate(flags.get("rate-per-domain"));
  const auto burst = parse_rate(flags.get("burst-per-domain"));
  const auto initial = flags.get_duration("retry-initial");
  const auto max = flags.get_duration("retry-max");
  const auto attempts = flags.get_int("max-attempts");
  const auto retention = flags.get_duration("retention");
  const auto at = settings.from_address.find('@');
  if (!rate || !burst || *burst < 1 || !initial || !max || !attempts || *attempts < 1 || *attempts > 1000 ||
      !retention || at == std::string::npos || at == 0 || at + 1 == settings.from_address.size() ||
      settings.from_address.find_first_of(" <>\"\t\r\n") != std::string::npos) {
    return std::nullopt;
  }
  settings.rate_per_domain = *rate;
  settings.burst_per_domain = *burst;
  settings.retry = {*initial, *max, static_cast<int>(*attempts)};
  settings.retention = *retention;
  return settings;
}

}  // namespace

int main(int argc, char** argv) {
  common::block_termination_signals();
  auto flags = make_flags();
  if (auto exit_code = runtime::parse_command_line(flags, argc, argv, "invite-mailer")) return *exit_code;

  auto settings = read_settings(flags);
  const auto replica_count = flags.get_int("replica-count");
  const auto delivery_timeout = flags.get_duration("delivery-timeout");
  const auto topic_wait = flags.get_duration("topic-wait");
  const auto port = flags.get_int("port");
  if (!settings || !replica_count || *replica_count < 1 || !delivery_timeout || !topic_wait || !port || *port < 0 ||
      *port > 65535) {
    return runtime::usage_error(flags, "invalid --from, --rate-per-domain, --burst-per-domain, --max-attempts, "
                                       "--replica-count, --port or duration value");
  }
  const auto replica_index_or = runtime::index_from_pod_name(flags, "replica-index");
  if (auto* message = std::get_if<std::string>(&replica_index_or)) return runtime::usage_error(flags, *message);
  const std::int32_t replica_index = std::get<std::int32_t>(replica_index_or);
  if (replica_index >= *replica_count) {
    return runtime::usage_error(flags, "replica index " + std::to_string(replica_index) +
                                           " is not below --replica-count " + std::to_string(*replica_count));
  }
  if (flags.get("data-dir").empty()) return runtime::usage_error(flags, "--data-dir is required");
  if (settings->default_culture.empty() || !domain::is_valid_culture(settings->default_culture)) {
    return runtime::usage_error(flags, "--default-culture must look like ll or ll-CC");
  }

  auto sender_or = make_sender(flags);
  if (auto* message = std::get_if<std::string>(&sender_or)) return runtime::usage_error(flags, *message);
  auto sender = std::move(std::get<std::unique_ptr<mail::Sender>>(sender_or));
  const bool writes_files = flags.get("smtp-url").empty();

  const fs::path templates_dir = flags.get("templates-dir").empty()
                                     ? common::executable_dir() / ".." / "share" / "invite-mailer" / "templates"
                                     : fs::path(flags.get("templates-dir"));
  auto templates_or = mail::load_templates(templates_dir);
  if (auto* message = std::get_if<std::string>(&templates_or)) return runtime::fail("templates: " + *message);
  const auto templates = std::get<mail::TemplateCatalogue>(std::move(templates_or));
  domain::PortalDirectory portals;
  if (!flags.get("portals-file").empty()) {
    auto portals_or = runtime::load_portals(flags.get("portals-file"));
    if (auto* message = std::get_if<std::string>(&portals_or)) return runtime::fail(*message);
    portals = std::get<domain::PortalDirectory>(std::move(portals_or));
  }

  const fs::path store_file = fs::path(flags.get("data-dir")) / "mailer.sqlite";
  auto store_or = store::MailerStore::open(store_file);
  if (auto* message = std::get_if<std::string>(&store_or)) return runtime::fail("cannot open " + *message);
  auto store = std::move(std::get<std::unique_ptr<store::MailerStore>>(store_or));

  auto kafka_config_or = runtime::kafka_properties(flags);
  if (auto* message = std::get_if<std::string>(&kafka_config_or)) return runtime::usage_error(flags, *message);
  const auto kafka_config = std::get<kafka::Properties>(std::move(kafka_config_or));
  const std::string topic(events::topics::kEmails);
  auto kafka_or = runtime::connect_kafka(flags, kafka_config, "invite-mailer", *delivery_timeout, topic, *topic_wait);
  if (auto* message = std::get_if<std::string>(&kafka_or)) return runtime::fail(*message);
  auto [producer, consumer, partition_count] = std::get<runtime::KafkaClients>(std::move(kafka_or));
  std::vector<std::int32_t> owned;
  for (std::int32_t p = 0; p < partition_count; ++p) {
    if (p % *replica_count == replica_index) owned.push_back(p);
  }
  if (owned.empty()) return runtime::fail("this replica owns no partition of " + topic);

  common::Registry metrics;
  std::mt19937_64 random_engine{std::random_device{}()};
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  mailer::MailerEnvironment env;
  env.consumer = consumer.get();
  env.producer = producer.get();
  env.store = store.get();
  env.sender = sender.get();
  env.templates = &templates;
  env.portals = &portals;
  env.metrics = &metrics;
  env.partitions = owned;
  env.settings = std::move(*settings);
  env.random = [&] { return unit(random_engine); };
  if (writes_files) {
    // The one line on stdout: a newcomer running the devstack sees where the invitation they just sent is.
    env.on_delivered = [](const std::string& recipient, const std::string& location) {
      std::cout << "invitation e-mail for " << recipient << ": " << location << std::endl;
    };
  }
  mailer::Mailer mailer(std::move(env));

  auto ops_or = runtime::OpsServer::start(
      flags, "invite-mailer", runtime::metrics_renderer(metrics, *producer),
      [&mailer, &producer] {
        std::vector<std::string> reasons;
        if (!mailer.ready()) reasons.emplace_back("partitions not assigned");
        runtime::add_producer_readiness(*producer, reasons);
        return reasons;
      },
      [&producer](http::Router& router) { runtime::add_test_hooks(router, *producer); });
  if (auto* message = std::get_if<std::string>(&ops_or)) return runtime::fail(*message);
  const auto ops = std::move(std::get<std::unique_ptr<runtime::OpsServer>>(ops_or));

  if (auto message = mailer.start()) return runtime::fail("start: " + *message);
  common::log_info("mailer started", {{"sender", sender->describe()},
                                      {"templates", templates_dir.string()},
                                      {"cultures", std::int64_t(templates.cultures().size())},
                                      {"partitions", std::int64_t(owned.size())},
                                      {"replicaIndex", std::int64_t{replica_index}},
                                      {"port", std::int64_t{ops->port()}}});

  const int exit_code = runtime::run_until_signal([&mailer](const std::atomic<bool>& stop) { return mailer.run(stop); });
  consumer->close();
  common::log_info("stopped");
  return exit_code;
}
