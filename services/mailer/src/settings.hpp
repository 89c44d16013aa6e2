#pragma once
#include <functional>
// invite-mailer's settings: its command line and environment twins, checked once; and the sender they choose.
#include <chrono>
#include <memory>
#include <string>
#include <variant>

#include "invite/common/log.hpp"
#include "invite/mail/sender.hpp"
#include "invite/mail/smtp_sender.hpp"
#include "invite/runtime/shared_flags.hpp"
#include "mailer.hpp"

namespace invite::mailer {

struct Settings {
  runtime::KafkaSettings kafka;
  std::string group_id;
  std::string data_dir;
  mail::SmtpSettings smtp;  // smtp.url empty: .eml files into outbox_dir
  std::string smtp_password_file;
  std::string outbox_dir;
  std::string templates_dir;  // resolved: the default next to the binary when not given
  std::string portals_file;   // empty: none
  MailerSettings mailer;
  int replica_count = 1;
  int replica_index = 0;  // --replica-index, or the ordinal of --pod-name
  std::chrono::milliseconds delivery_timeout{};
  std::chrono::milliseconds topic_wait{};
  runtime::Listener ops;
  common::LogLevel log_level = common::LogLevel::Info;
};

// The settings, or main's exit code (0 after --help, 2 after a bad command line).
runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv);

// The SMTP sender, or the .eml writer without --smtp-url; an error (reading the password file, a bad URL) otherwise.
common::Result<std::unique_ptr<mail::Sender>> make_sender(const Settings& settings);

// Uniform numbers in [0, 1) for the retry jitter, from an engine seeded once per process.
std::function<double()> jitter_source();

// Without --smtp-url, prints where each invitation went: the one line on stdout that shows a newcomer running the
// devstack where the invitation they just sent is. With SMTP, nothing.
std::function<void(const std::string& recipient, const std::string& location)> delivery_announcer(
    const Settings& settings);

}  // namespace invite::mailer
