#pragma once
// Sends e-mails to one SMTP server with libcurl, reusing the connection between messages.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "invite/common/result.hpp"
#include "invite/mail/sender.hpp"

namespace invite::mail {

// STARTTLS on an smtp:// URL: never, when the server offers it, or always (refuse to send in clear).
// smtps:// is TLS from the first byte whatever this says.
enum class StartTls { Off, Opportunistic, Required };
std::optional<StartTls> parse_starttls(std::string_view text);  // "off", "opportunistic", "required"

struct SmtpSettings {
  std::string url;   // smtp://host[:port][/ehlo-name] or smtps://...
  std::string user;  // AUTH when non-empty
  std::string password;
  StartTls starttls = StartTls::Opportunistic;
  std::chrono::milliseconds connect_timeout{std::chrono::seconds(10)};
  std::chrono::milliseconds timeout{std::chrono::seconds(60)};  // a whole message, connection included
  std::string ca_file;  // PEM bundle to verify the server with; empty: the system's
};

// An error for a URL that is not smtp:// or smtps://, or a password without a user.
common::Result<std::unique_ptr<Sender>> make_smtp_sender(SmtpSettings settings);

}  // namespace invite::mail
