#include "invite/mail/smtp_sender.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <mutex>

#include "invite/common/text.hpp"

namespace invite::mail {
namespace {

struct Body {
  std::string_view data;
  std::size_t offset = 0;
};

std::size_t read_body(char* buffer, std::size_t size, std::size_t count, void* user) {
  auto* body = static_cast<Body*>(user);
  const std::size_t n = std::min(size * count, body->data.size() - body->offset);
  std::copy_n(body->data.data() + body->offset, n, buffer);
  body->offset += n;
  return n;
}

struct Replies {
  std::string last;     // the server's last reply line
  std::string refusal;  // its last 4xx or 5xx line: a QUIT after a refusal must not hide it
};

// Keeps the server's reply lines ("550 5.1.1 <x@y>: Recipient address rejected"), which say more than
// libcurl's own message ("RCPT failed: 550"). Only what the server sent is looked at, never our commands,
// which carry the credentials.
int watch_replies(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  if (type != CURLINFO_HEADER_IN) return 0;
  const auto line = common::trim(std::string_view(data, size));
  if (line.empty()) return 0;
  auto* replies = static_cast<Replies*>(user);
  replies->last = std::string(line.substr(0, 300));
  if (line.front() == '4' || line.front() == '5') replies->refusal = replies->last;
  return 0;
}

struct Recipients {
  curl_slist* list = nullptr;
  ~Recipients() { curl_slist_free_all(list); }
};

class SmtpSender final : public Sender {
 public:
  SmtpSender(SmtpSettings settings, CURL* curl) : settings_(std::move(settings)), curl_(curl) {}
  ~SmtpSender() override { curl_easy_cleanup(curl_); }
  SmtpSender(const SmtpSender&) = delete;
  SmtpSender& operator=(const SmtpSender&) = delete;

  SendResult send(const Envelope& envelope, std::string_view message) override {
    Body body{message};
    Recipients recipients;
    recipients.list = curl_slist_append(nullptr, ("<" + envelope.to + ">").c_str());
    const std::string from = "<" + envelope.from + ">";
    Replies replies;
    char error[CURL_ERROR_SIZE] = {0};

    // The same handle for every message: libcurl keeps the connection open and reuses it for the next one.
    curl_easy_setopt(curl_, CURLOPT_URL, settings_.url.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, recipients.list);
    curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl_, CURLOPT_READFUNCTION, read_body);
    curl_easy_setopt(curl_, CURLOPT_READDATA, &body);
    curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(message.size()));
    curl_easy_setopt(curl_, CURLOPT_USE_SSL, use_ssl());
    if (!settings_.user.empty()) {
      curl_easy_setopt(curl_, CURLOPT_USERNAME, settings_.user.c_str());
      curl_easy_setopt(curl_, CURLOPT_PASSWORD, settings_.password.c_str());
    }
    if (!settings_.ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, settings_.ca_file.c_str());
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(settings_.connect_timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, static_cast<long>(settings_.timeout.count()));
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM: other threads run too
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
    curl_easy_setopt(curl_, CURLOPT_VERBOSE, 1L);  // only so that watch_replies sees the replies
    curl_easy_setopt(curl_, CURLOPT_DEBUGFUNCTION, watch_replies);
    curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, &replies);

    const CURLcode code = curl_easy_perform(curl_);
    long reply_code = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &reply_code);
    // Nothing below may outlive this call.
    curl_easy_setopt(curl_, CURLOPT_MAIL_RCPT, nullptr);
    curl_easy_setopt(curl_, CURLOPT_READDATA, nullptr);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
    curl_easy_setopt(curl_, CURLOPT_DEBUGDATA, nullptr);

    SendResult result;
    result.location = settings_.url;
    if (reply_code > 0) result.smtp_code = static_cast<int>(reply_code);
    if (code == CURLE_OK) {
      result.outcome = SendOutcome::Delivered;
      result.reason = replies.last;
      return result;
    }
    const std::string curl_message = error[0] != '\0' ? std::string(error) : curl_easy_strerror(code);
    if (code == CURLE_LOGIN_DENIED) {
      // The same for every message: our credentials, not this recipient. Retried, so that fixing the secret
      // lets the queue through instead of failing every job meanwhile.
      result.outcome = SendOutcome::Transient;
      result.reason = "authentication failed (" + (replies.refusal.empty() ? curl_message : replies.refusal) + ")";
    } else if (reply_code >= 400) {
      result.outcome = classify_smtp_code(static_cast<int>(reply_code));
      result.reason = replies.refusal.empty() ? curl_message : replies.refusal;
    } else {
      // No refusal from the server: the connection, TLS or a timeout. Worth another try.
      result.outcome = SendOutcome::Transient;
      result.smtp_code.reset();
      result.reason = curl_message;
    }
    return result;
  }

  std::string describe() const override { return settings_.url; }

 private:
  long use_ssl() const {
    switch (settings_.starttls) {
      case StartTls::Off:
        return CURLUSESSL_NONE;
      case StartTls::Opportunistic:
        return CURLUSESSL_TRY;
      case StartTls::Required:
        return CURLUSESSL_ALL;
    }
    return CURLUSESSL_ALL;
  }

  SmtpSettings settings_;
  CURL* curl_;
};

}  // namespace

std::optional<StartTls> parse_starttls(std::string_view text) {
  const std::string lower = common::ascii_lower(common::trim(text));
  if (lower == "off") return StartTls::Off;
  if (lower == "opportunistic") return StartTls::Opportunistic;
  if (lower == "required") return StartTls::Required;
  return std::nullopt;
}

common::Result<std::unique_ptr<Sender>> make_smtp_sender(SmtpSettings settings) {
  const std::string scheme = common::ascii_lower(settings.url.substr(0, settings.url.find("://")));
  if ((scheme != "smtp" && scheme != "smtps") || settings.url.find("://") == std::string::npos) {
    return common::fail("SMTP URL must start with smtp:// or smtps://, got '" + settings.url + "'");
  }
  if (settings.user.empty() && !settings.password.empty()) return common::fail("an SMTP password needs a user");
  static std::once_flag initialised;
  CURLcode init = CURLE_OK;
  std::call_once(initialised, [&init] { init = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init != CURLE_OK) return common::fail(std::string("libcurl: ") + curl_easy_strerror(init));
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return common::fail("libcurl: cannot create a handle");
  return std::unique_ptr<Sender>(std::make_unique<SmtpSender>(std::move(settings), curl));
}

}  // namespace invite::mail
