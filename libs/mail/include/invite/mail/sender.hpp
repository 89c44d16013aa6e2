#pragma once
// Where rendered e-mails go: an SMTP server (smtp_sender.hpp) or .eml files (eml_sender.hpp). Errors are
// values: a sender says whether the attempt may succeed later (transient) or never will (permanent).
#include <optional>
#include <string>
#include <string_view>

namespace invite::mail {

enum class SendOutcome { Delivered, Transient, Permanent };

struct SendResult {
  SendOutcome outcome = SendOutcome::Transient;
  std::optional<int> smtp_code;  // the server's last reply code, when it answered
  std::string reason;            // why it failed ("421 4.7.0 Try again later"), or what was done
  std::string location;          // where it went: the .eml file, or the server's URL
};

// 2xx: delivered; 4xx: transient; 5xx: permanent (RFC 5321 section 4.2.1); anything else: transient.
SendOutcome classify_smtp_code(int code);

struct Envelope {
  std::string from;  // the envelope sender (MAIL FROM)
  std::string to;    // the one recipient (RCPT TO)
  std::string id;    // stable per e-mail job; names the .eml file
};

class Sender {
 public:
  virtual ~Sender() = default;
  // Blocks for at most the sender's timeouts.
  virtual SendResult send(const Envelope& envelope, std::string_view message) = 0;
  virtual std::string describe() const = 0;  // for logs: "smtp://mail.example.com:587", "files in /x"
};

}  // namespace invite::mail
