#include "settings.hpp"

#include <charconv>
#include <iostream>
#include <limits>
#include <memory>
#include <random>

#include "invite/common/files.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"
#include "invite/mail/eml_sender.hpp"
#include "invite/runtime/pod_ordinal.hpp"

namespace invite::mailer {
namespace {

runtime::Parser<double> rate(double min) {
  return [min](std::string_view text) -> common::Result<double> {
    const auto trimmed = common::trim(text);
    double value = 0;
    const auto [end, ec] = std::from_chars(trimmed.data(), trimmed.data() + trimmed.size(), value);
    if (trimmed.empty() || ec != std::errc() || end != trimmed.data() + trimmed.size() || value < min) {
      return common::fail("must be a number of at least " + std::to_string(static_cast<int>(min)) + ", got '" +
                          std::string(text) + "'");
    }
    return value;
  };
}

// Where MIME, Message-IDs and SMTP's MAIL FROM put it, an address needs a local part, a domain and no syntax.
bool plausible_address(const std::string& address) {
  const auto at = address.find('@');
  return at != std::string::npos && at != 0 && at + 1 != address.size() &&
         address.find_first_of(" <>\"\t\r\n") == std::string::npos;
}

}  // namespace

runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv) {
  Settings s;
  runtime::Cli cli("invite-mailer",
                   "Invite mailer: sends the invitation e-mails queued on invite.emails.v1 over SMTP (or, without "
                   "--smtp-url, writes each as an .eml file into --outbox-dir) and publishes their delivery status on "
                   "invite.email-status.v1.");
  runtime::add_kafka_flags(cli, s.kafka);
  cli.text("group-id", s.group_id, "invite-mailer", "consumer group: where the mailer resumes, and its lag");
  cli.text("data-dir", s.data_dir, "", "directory of mailer.sqlite, the jobs seen and their delivery state (required)",
           true);
  cli.text("smtp-url", s.smtp.url, "",
           "smtp://host:port or smtps://host:port (a path names the EHLO domain); empty: .eml files");
  cli.text("smtp-user", s.smtp.user, "", "SMTP AUTH user (AUTH only when set)");
  cli.text("smtp-password-file", s.smtp_password_file, "", "file holding the SMTP AUTH password");
  cli.value<mail::StartTls>(
      "smtp-starttls", s.smtp.starttls, "opportunistic",
      [](std::string_view text) -> common::Result<mail::StartTls> {
        if (auto parsed = mail::parse_starttls(text)) return *parsed;
        return common::fail("must be off, opportunistic or required, got '" + std::string(text) + "'");
      },
      "STARTTLS on smtp://: off, opportunistic (when offered) or required");
  cli.text("smtp-ca-file", s.smtp.ca_file, "", "PEM CA bundle to verify the SMTP server with (default: the system's)");
  cli.duration("smtp-connect-timeout", s.smtp.connect_timeout, "10s", "connecting to the SMTP server, TLS included",
               std::chrono::milliseconds(1));
  cli.duration("smtp-timeout", s.smtp.timeout, "60s",
               "one whole message, connection included; then the attempt is retried", std::chrono::milliseconds(1));
  cli.text("outbox-dir", s.outbox_dir, "",
           "without --smtp-url: write each e-mail as <eventId>.eml here and print its path");
  cli.text("from", s.mailer.from_address, "no-reply@localhost",
           "sender address (MAIL FROM and From; the portal's name is its display name)");
  cli.text("templates-dir", s.templates_dir, "",
           "invitation.html, invitation.txt and <culture>/invitation.json "
           "(default: ../share/invite-mailer/templates next to the binary)");
  cli.text("portals-file", s.portals_file, "",
           "portals JSON file: each portal's defaultCulture is a fallback for its e-mails");
  cli.text("default-culture", s.mailer.default_culture, "en-US", "fallback culture for portals not in --portals-file");
  cli.value<double>("rate-per-domain", s.mailer.rate_per_domain, "5", rate(0),
                    "e-mails per second to one recipient domain (e.g. 0.5; 0: no limit)");
  cli.value<double>("burst-per-domain", s.mailer.burst_per_domain, "5", rate(1),
                    "e-mails a quiet recipient domain may get at once");
  cli.duration("retry-initial", s.mailer.retry.initial, "5s",
               "pause after the first transient failure; doubles each time (with jitter)");
  cli.duration("retry-max", s.mailer.retry.max, "30m", "longest pause between two attempts");
  std::int64_t attempts = 0;
  cli.integer("max-attempts", attempts, "15", 1, 1000, "attempts before a transiently failing e-mail fails for good");
  cli.duration("retention", s.mailer.retention, "14d",
               "keep decided jobs this long (to recognise redelivered records)");
  runtime::ReplicaFlags replica;
  runtime::add_replica_flags(cli, replica, "invite-mailer-1", "invite.emails.v1");
  cli.duration("delivery-timeout", s.delivery_timeout, "30s",
               "how long publishing one status event may take before it is retried");
  cli.duration("topic-wait", s.topic_wait, "60s", "how long to wait for invite.emails.v1 to exist at start");
  runtime::add_listener_flags(cli, s.ops, "0.0.0.0", "9101", "address of the /healthz, /readyz and /metrics endpoints",
                              "port of those endpoints (0: any free port, see --port-file)");
  runtime::add_log_level_flag(cli, s.log_level);
  if (auto exit_code = cli.parse(argc, argv)) return runtime::ExitCode(*exit_code);

  s.mailer.from_address = std::string(common::trim(s.mailer.from_address));
  if (!plausible_address(s.mailer.from_address))
    return runtime::ExitCode(cli.usage_error("--from must be an address like name@domain"));
  const auto resolved = runtime::resolve_replica(cli, replica);
  if (!resolved) return runtime::ExitCode(cli.usage_error(resolved.error().message));
  s.replica_count = resolved->count;
  s.replica_index = resolved->index;
  if (auto exit_code = cli.check_required()) return runtime::ExitCode(*exit_code);
  if (s.mailer.default_culture.empty() || !domain::is_valid_culture(s.mailer.default_culture)) {
    return runtime::ExitCode(cli.usage_error("--default-culture must look like ll or ll-CC"));
  }
  if (s.smtp.url.empty() && s.outbox_dir.empty())
    return runtime::ExitCode(cli.usage_error("--smtp-url or --outbox-dir is required"));
  s.mailer.retry.max_attempts = static_cast<int>(attempts);
  if (s.templates_dir.empty()) {
    s.templates_dir = (common::executable_dir() / ".." / "share" / "invite-mailer" / "templates").string();
  }
  return s;
}

common::Result<std::unique_ptr<mail::Sender>> make_sender(const Settings& settings) {
  if (settings.smtp.url.empty()) return mail::make_eml_sender(settings.outbox_dir);
  mail::SmtpSettings smtp = settings.smtp;
  if (!settings.smtp_password_file.empty()) {
    auto password = common::read_secret(settings.smtp_password_file);
    if (!password) return common::fail("cannot read --smtp-password-file: " + password.error().message);
    smtp.password = std::move(*password);
  }
  return mail::make_smtp_sender(std::move(smtp));
}

std::function<double()> jitter_source() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); };
}

std::function<void(const std::string& recipient, const std::string& location)> delivery_announcer(
    const Settings& settings) {
  if (!settings.smtp.url.empty()) return nullptr;
  return [](const std::string& recipient, const std::string& location) {
    std::cout << "invitation e-mail for " << recipient << ": " << location << std::endl;
  };
}

}  // namespace invite::mailer
