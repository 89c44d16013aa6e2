// The adapters: .eml files, template files, and the SMTP sender against a scripted server on loopback.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <thread>

#include "invite/common/files.hpp"
#include "invite/mail/eml_sender.hpp"
#include "invite/mail/smtp_sender.hpp"
#include "invite/mail/template_files.hpp"
#include "support/temp_dir.hpp"

namespace invite::mail {
namespace {

using invite::testing::TempDir;
using namespace std::chrono_literals;

template <typename T>
std::unique_ptr<T> unwrap(common::Result<std::unique_ptr<T>> made) {
  if (!made) throw std::runtime_error(made.error().message);
  return std::move(*made);
}

TEST(EmlSender, WritesOneFilePerJobAndReplacesItWhenSentAgain) {
  TempDir dir;
  auto sender = unwrap(make_eml_sender(dir.path() / "outbox-mail"));
  const auto first = sender->send({"a@b.example", "c@d.example", "35702c1e-8d4f"}, "first");
  EXPECT_EQ(first.outcome, SendOutcome::Delivered);
  EXPECT_EQ(first.location, (dir.path() / "outbox-mail" / "35702c1e-8d4f.eml").string());
  EXPECT_EQ(common::read_file(first.location).value(), "first");
  const auto again = sender->send({"a@b.example", "c@d.example", "35702c1e-8d4f"}, "again");
  EXPECT_EQ(again.location, first.location);
  EXPECT_EQ(common::read_file(first.location).value(), "again");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path() / "outbox-mail"),
                          std::filesystem::directory_iterator()),
            1);
  // An id is never a path.
  EXPECT_EQ(sender->send({"a@b", "c@d", "../x"}, "m").location, (dir.path() / "outbox-mail" / "___x.eml").string());
}

TEST(EmlSender, AnUnwritableDirectoryIsATransientFailure) {
  TempDir dir;
  auto sender = unwrap(make_eml_sender(dir.path() / "outbox"));
  std::filesystem::remove_all(dir.path() / "outbox");
  std::ofstream(dir.path() / "outbox") << "a file where the directory was";
  const auto result = sender->send({"a@b", "c@d", "id"}, "m");
  EXPECT_EQ(result.outcome, SendOutcome::Transient);
  EXPECT_NE(result.reason.find("cannot write"), std::string::npos) << result.reason;
}

TEST(TemplateFiles, ErrorsNameTheFile) {
  TempDir dir;
  auto missing = load_templates(dir.path());
  ASSERT_FALSE(missing.has_value());
  EXPECT_NE(missing.error().message.find("invitation.html"), std::string::npos);

  std::ofstream(dir.path() / "invitation.html") << "<p>{{heading}}</p>";
  std::ofstream(dir.path() / "invitation.txt") << "{{heading}}";
  std::filesystem::create_directories(dir.path() / "en-US");
  std::filesystem::create_directories(dir.path() / "images");  // not a culture: ignored
  std::ofstream(dir.path() / "en-US" / "invitation.json") << R"({"subject": "Join", "heading": 5})";
  auto wrong_type = load_templates(dir.path());
  ASSERT_FALSE(wrong_type.has_value());
  EXPECT_NE(wrong_type.error().message.find("en-US/invitation.json: 'heading' must be a string"), std::string::npos)
      << wrong_type.error().message;

  std::ofstream(dir.path() / "en-US" / "invitation.json") << R"({"subject": "Join", "heading": "Hi {{portalName}}"})";
  auto loaded = load_templates(dir.path());
  ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
  EXPECT_EQ(loaded->cultures(), std::vector<std::string>{"en-US"});
}

// A one-connection-at-a-time SMTP server that answers each command with a scripted reply.
class ScriptedSmtp {
 public:
  // Replies by command ("AUTH", "MAIL", "RCPT", "DATA" for the 354, "." for the end of the message); default 250
  // (235 would be AUTH's, but libcurl takes any 2xx).
  using Replies = std::map<std::string, std::string>;
  explicit ScriptedSmtp(Replies replies) : replies_(std::move(replies)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(fd_, 4) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen");
    }
    port_ = ntohs(address.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~ScriptedSmtp() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "smtp://127.0.0.1:" + std::to_string(port_); }
  int messages() const { return messages_.load(); }
  int auth_attempts() const { return auth_attempts_.load(); }
  int connections() const { return connections_.load(); }

 private:
  void serve() {
    while (true) {
      const int client = ::accept(fd_, nullptr, nullptr);
      if (client < 0) return;
      ++connections_;
      talk(client);
      ::close(client);
    }
  }

  void talk(int client) {
    const auto say = [client](const std::string& line) {
      const std::string wire = line + "\r\n";
      return ::send(client, wire.data(), wire.size(), MSG_NOSIGNAL) > 0;
    };
    std::string buffer;
    bool in_data = false;
    say("220 scripted ESMTP");
    char chunk[4096];
    while (true) {
      const auto n = ::recv(client, chunk, sizeof chunk, 0);
      if (n <= 0) return;
      buffer.append(chunk, static_cast<std::size_t>(n));
      for (auto end = buffer.find("\r\n"); end != std::string::npos; end = buffer.find("\r\n")) {
        const std::string line = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        if (in_data) {
          if (line != ".") continue;
          in_data = false;
          const auto reply = reply_for(".");
          if (reply.starts_with("250")) ++messages_;
          if (!say(reply) || reply.starts_with("421")) return;
          continue;
        }
        const std::string verb = line.substr(0, 4);
        if (verb == "EHLO" || verb == "HELO") {
          say("250-scripted");
          say("250 AUTH PLAIN");
        } else if (verb == "QUIT") {
          say("221 bye");
          return;
        } else {
          const std::string key = verb == "MAIL" || verb == "RCPT" || verb == "DATA" || verb == "AUTH" ? verb : "other";
          if (key == "AUTH") ++auth_attempts_;
          const auto reply =
              key == "DATA" ? (replies_.count("DATA") ? replies_["DATA"] : "354 go ahead") : reply_for(key);
          if (key == "DATA" && reply.starts_with("354")) in_data = true;
          if (!say(reply) || reply.starts_with("421")) return;
        }
      }
    }
  }

  std::string reply_for(const std::string& key) { return replies_.count(key) ? replies_[key] : "250 ok"; }

  std::map<std::string, std::string> replies_;
  int fd_ = -1;
  unsigned short port_ = 0;
  std::atomic<int> messages_{0};
  std::atomic<int> auth_attempts_{0};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

SmtpSettings settings(const std::string& url) {
  SmtpSettings s;
  s.url = url;
  s.starttls = StartTls::Opportunistic;
  s.connect_timeout = 5s;
  s.timeout = 10s;
  return s;
}

const Envelope kEnvelope{"no-reply@docspace.example", "someone@example.com", "id"};
const std::string kMessage = "Subject: hi\r\n\r\nbody\r\n";

TEST(SmtpSender, DeliversAndReusesTheConnection) {
  ScriptedSmtp server(ScriptedSmtp::Replies{});
  auto sender = unwrap(make_smtp_sender(settings(server.url())));
  for (int i = 0; i < 3; ++i) {
    const auto result = sender->send(kEnvelope, kMessage);
    EXPECT_EQ(result.outcome, SendOutcome::Delivered) << result.reason;
    EXPECT_EQ(result.smtp_code, 250);
  }
  EXPECT_EQ(server.messages(), 3);
  EXPECT_EQ(server.connections(), 1);
}

TEST(SmtpSender, A5xxRecipientIsPermanentWithTheServersWords) {
  ScriptedSmtp server(ScriptedSmtp::Replies{{"RCPT", "550 5.1.1 <someone@example.com>: no such user"}});
  auto sender = unwrap(make_smtp_sender(settings(server.url())));
  const auto result = sender->send(kEnvelope, kMessage);
  EXPECT_EQ(result.outcome, SendOutcome::Permanent);
  EXPECT_EQ(result.smtp_code, 550);
  EXPECT_EQ(result.reason, "550 5.1.1 <someone@example.com>: no such user");
}

TEST(SmtpSender, A4xxAfterTheMessageIsTransient) {
  ScriptedSmtp server(ScriptedSmtp::Replies{{".", "451 4.3.0 try again later"}});
  auto sender = unwrap(make_smtp_sender(settings(server.url())));
  const auto result = sender->send(kEnvelope, kMessage);
  EXPECT_EQ(result.outcome, SendOutcome::Transient);
  EXPECT_EQ(result.smtp_code, 451);
  EXPECT_EQ(result.reason, "451 4.3.0 try again later");
}

TEST(SmtpSender, NoServerIsTransientWithoutACode) {
  std::string url;
  {
    ScriptedSmtp gone(ScriptedSmtp::Replies{});
    url = gone.url();
  }  // closed: connections to its port are refused
  auto sender = unwrap(make_smtp_sender(settings(url)));
  const auto result = sender->send(kEnvelope, kMessage);
  EXPECT_EQ(result.outcome, SendOutcome::Transient);
  EXPECT_EQ(result.smtp_code, std::nullopt);
  EXPECT_FALSE(result.reason.empty());
}

TEST(SmtpSender, RequiredStartTlsRefusesAServerWithoutIt) {
  ScriptedSmtp server(ScriptedSmtp::Replies{});
  auto s = settings(server.url());
  s.starttls = StartTls::Required;
  auto sender = unwrap(make_smtp_sender(s));
  const auto result = sender->send(kEnvelope, kMessage);
  EXPECT_EQ(result.outcome, SendOutcome::Transient);  // the setup, not the recipient: an operator can fix it
  EXPECT_EQ(server.messages(), 0);
}

TEST(SmtpSender, RejectedCredentialsAreTransientAndSaySo) {
  ScriptedSmtp server(ScriptedSmtp::Replies{{"AUTH", "535 5.7.8 Authentication credentials invalid"}});
  auto s = settings(server.url());
  s.starttls = StartTls::Off;  // the scripted server speaks no TLS
  s.user = "invite";
  s.password = "wrong";
  auto sender = unwrap(make_smtp_sender(s));
  const auto result = sender->send(kEnvelope, kMessage);
  EXPECT_EQ(result.outcome, SendOutcome::Transient);  // our secret, not the recipient: fixing it lets mail through
  EXPECT_EQ(result.reason, "authentication failed (535 5.7.8 Authentication credentials invalid)");
  EXPECT_EQ(server.auth_attempts(), 1);
  EXPECT_EQ(server.messages(), 0);
}

TEST(SmtpSender, SettingsAreCheckedUpFront) {
  EXPECT_FALSE(make_smtp_sender(settings("http://mail.example")));
  EXPECT_FALSE(make_smtp_sender(settings("mail.example:25")));
  auto password_only = settings("smtp://mail.example");
  password_only.password = "secret";
  EXPECT_FALSE(make_smtp_sender(password_only));
  EXPECT_EQ(parse_starttls("Required"), StartTls::Required);
  EXPECT_EQ(parse_starttls("off"), StartTls::Off);
  EXPECT_EQ(parse_starttls("maybe"), std::nullopt);
}

}  // namespace
}  // namespace invite::mail
