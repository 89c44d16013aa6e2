// The invitation's whole life over HTTP, as a DocSpace client and the invited person see it: the real gateway,
// worker and mailer, the e-mail read back from the mailer's .eml file, its link confirmed and accepted, the user
// listed, the invitation resent, disabled and deleted; and a delivery the SMTP server never took shows as failed.
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <set>

#include "file_text.hpp"
#include "invite/common/ids.hpp"
#include "invite/events/events.hpp"
#include "stack.hpp"

namespace invite::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Quoted-printable (RFC 2045) as the mailer writes its text parts: soft line breaks and =XX escapes.
std::string decode_quoted_printable(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '=') {
      out += text[i];
    } else if (text.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (i + 1 < text.size() && text[i + 1] == '\n') {
      i += 1;
    } else if (i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

// The confirmation link of an .eml file (its first one: the text part), "" if there is none.
std::string link_in_eml(const std::string& eml) {
  const auto text = decode_quoted_printable(eml);
  const auto path = text.find("/confirm/LinkInvite?");
  if (path == std::string::npos) return {};
  const auto start = text.rfind("http", path);
  const auto end = text.find_first_of(" \t\r\n\"<>", path);
  auto link = text.substr(start, end - start);
  for (std::size_t at; (at = link.find("&amp;")) != std::string::npos;) link.replace(at, 5, "&");
  return link;
}

struct Link {
  std::string url;
  std::string query;                          // what follows '?': the accept's confirm header
  std::map<std::string, std::string> values;  // decoded
};

Link parse_link(const std::string& url) {
  Link link{url, url.substr(url.find('?') + 1), {}};
  std::size_t from = 0;
  while (from <= link.query.size()) {
    const auto amp = std::min(link.query.find('&', from), link.query.size());
    const auto pair = link.query.substr(from, amp - from);
    const auto eq = pair.find('=');
    if (eq != std::string::npos) link.values[pair.substr(0, eq)] = percent_decode(pair.substr(eq + 1));
    from = amp + 1;
  }
  return link;
}

// A loopback port nobody listens on: an SMTP server that refuses every connection.
std::uint16_t refused_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  ::close(fd);
  return ntohs(address.sin_port);
}

class InvitationLife : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack();
    stack_->start_mailer();
    owner_ = stack_->owner_token();
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  static Stack& stack() { return *stack_; }
  static std::string email(const std::string& name) { return name + "." + common::random_hex(4) + "@example.com"; }

  // Invites the address as a User; returns its id.
  static std::string invite(const std::string& address) {
    const auto reply = stack().invite(invite_body({{address, "User"}}), owner_);
    EXPECT_EQ(reply.status, 200) << reply.body;
    if (reply.status != 200) return {};
    return json::parse(reply.body)["response"][0]["id"];
  }

  // The links of every .eml file the mailer wrote to this recipient, once there are at least `at_least`.
  static std::vector<Link> links_to(const std::string& address, std::size_t at_least = 1) {
    std::vector<Link> links;
    eventually(
        [&] {
          links.clear();
          std::error_code ec;
          for (const auto& entry : std::filesystem::directory_iterator(stack().outbox_dir(), ec)) {
            if (entry.path().extension() != ".eml") continue;
            const auto eml = file_text(entry.path());
            if (eml.find("\r\nTo: <" + address + ">\r\n") == std::string::npos) continue;
            if (auto url = link_in_eml(eml); !url.empty()) links.push_back(parse_link(url));
          }
          return links.size() >= at_least;
        },
        30s);
    EXPECT_GE(links.size(), at_least) << "e-mails to " << address << "; mailer log:\n"
                                      << file_text(stack().dir() / "mailer.log");
    return links;
  }

  static Link only_link(const std::string& address) {
    auto links = links_to(address, 1);
    return links.empty() ? Link{} : links[0];
  }

  // POST /api/2.0/authentication/confirm with the link's values, as DocSpace's web client sends them.
  static json confirm(const Link& link) {
    json body{{"type", link.values.at("type")},         {"key", link.values.at("key")},
              {"encemail", link.values.at("encemail")}, {"uid", link.values.at("uid")},
              {"emplType", link.values.at("emplType")}, {"culture", link.values.at("culture")}};
    const auto reply = stack().request("POST", "/api/2.0/authentication/confirm", body.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.status == 200 ? json::parse(reply.body)["response"] : json();
  }

  static HttpReply accept(const Link& link, const std::string& address) {
    json body{{"fromInviteLink", true},
              {"email", address},
              {"type", std::stoi(link.values.at("emplType"))},
              {"key", link.values.at("key")},
              {"firstName", "Ada"},
              {"lastName", "Lovelace"},
              {"password", "correct horse battery"},
              {"cultureName", "en-GB"},
              {"spam", false}};
    return stack().request("POST", "/api/2.0/people", body.dump(), "", {{"confirm", link.query}});
  }

  // GET /api/2.0/people/filter for this address: the matching users.
  static json listed(const std::string& address) {
    const auto reply =
        stack().request("GET", "/api/2.0/people/filter?filterValue=" + percent_encode(address), "", owner_);
    EXPECT_EQ(reply.status, 200) << reply.body;
    return reply.status == 200 ? json::parse(reply.body)["response"] : json::array();
  }

  static std::string percent_encode(const std::string& text) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
      if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
        out += static_cast<char>(c);
      } else {
        out += '%';
        out += kHex[c >> 4];
        out += kHex[c & 15];
      }
    }
    return out;
  }

  static HttpReply revoke(const std::string& path, const std::string& user_id) {
    return stack().request("PUT", path, json{{"userIds", {user_id}}}.dump(), owner_);
  }

  static Stack* stack_;
  static std::string owner_;
};
Stack* InvitationLife::stack_ = nullptr;
std::string InvitationLife::owner_;

TEST_F(InvitationLife, TheLinkOfTheEmlConfirmsOkAndAcceptingActivatesTheUser) {
  const auto address = email("life");
  const auto id = invite(address);
  const auto link = only_link(address);
  ASSERT_FALSE(link.url.empty());
  EXPECT_EQ(link.url.rfind("http://localhost/confirm/LinkInvite?type=LinkInvite&key=", 0), 0u) << link.url;

  const auto checked = confirm(link);
  EXPECT_EQ(checked["result"], 0) << checked.dump();
  EXPECT_EQ(checked["email"], address);
  EXPECT_EQ(confirm(link)["result"], 0) << "opening a link twice must not consume it";

  const auto accepted = accept(link, address);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  const auto dto = json::parse(accepted.body)["response"];
  EXPECT_EQ(dto["id"], id);
  EXPECT_EQ(dto["email"], address);
  EXPECT_EQ(dto["firstName"], "Ada");
  EXPECT_EQ(dto["lastName"], "Lovelace");
  EXPECT_EQ(dto["status"], 1);            // Active
  EXPECT_EQ(dto["activationStatus"], 1);  // Activated
  EXPECT_FALSE(dto.contains("invitation")) << dto.dump();

  const auto users = listed(address);
  ASSERT_EQ(users.size(), 1u) << users.dump();
  EXPECT_EQ(users[0]["id"], id);
  EXPECT_EQ(users[0]["status"], 1);
  EXPECT_EQ(users[0]["activationStatus"], 1);

  const auto again = accept(link, address);
  EXPECT_EQ(again.status, 403) << again.body;
  EXPECT_EQ(confirm(link)["result"], 4);  // UserExisted

  // One people.user-activated.v1 for the one accept.
  std::size_t activated = 0;
  for (const auto& record : stack().read_topic("people.user-activated.v1", 1)) {
    activated += record.value.find(id) != std::string::npos;
  }
  EXPECT_EQ(activated, 1u);
}

TEST_F(InvitationLife, ResendMailsANewLinkAndTheOlderOneChecksInvalid) {
  const auto address = email("resent");
  const auto id = invite(address);
  const auto first = only_link(address);
  ASSERT_FALSE(first.url.empty());
  // Links carry the millisecond they were issued: a resend within the same one would not differ.
  std::this_thread::sleep_for(5ms);

  const auto reply =
      stack().request("PUT", "/api/2.0/people/invite", json{{"userIds", {id}}, {"resendAll", false}}.dump(), owner_);
  ASSERT_EQ(reply.status, 200) << reply.body;
  const auto resent = json::parse(reply.body)["response"];
  ASSERT_EQ(resent.size(), 1u) << reply.body;
  EXPECT_EQ(resent[0]["id"], id);

  const auto links = links_to(address, 2);
  ASSERT_EQ(links.size(), 2u);
  const auto& second = links[0].url == first.url ? links[1] : links[0];
  EXPECT_NE(second.url, first.url);
  EXPECT_EQ(confirm(second)["result"], 0);
  EXPECT_EQ(confirm(first)["result"], 1);  // Invalid

  const auto users = listed(address);
  ASSERT_EQ(users.size(), 1u) << users.dump();
  EXPECT_EQ(users[0]["invitation"]["timesResent"], 1) << users.dump();

  // The older link cannot be accepted either; the new one can.
  EXPECT_EQ(accept(first, address).status, 401);
  EXPECT_EQ(accept(second, address).status, 200);
}

TEST_F(InvitationLife, DisableThenDeleteRevokesTheLinkAndAReinviteCreatesANewUser) {
  const auto address = email("revoked");
  const auto id = invite(address);
  const auto link = only_link(address);
  ASSERT_FALSE(link.url.empty());
  ASSERT_EQ(confirm(link)["result"], 0);

  const auto disabled = revoke("/api/2.0/people/status/2", id);
  ASSERT_EQ(disabled.status, 200) << disabled.body;
  EXPECT_EQ(json::parse(disabled.body)["response"][0]["status"], 2);  // Terminated
  EXPECT_EQ(confirm(link)["result"], 1);

  const auto deleted = revoke("/api/2.0/people/delete", id);
  ASSERT_EQ(deleted.status, 200) << deleted.body;
  EXPECT_EQ(json::parse(deleted.body)["response"][0]["id"], id);
  EXPECT_EQ(confirm(link)["result"], 1);
  EXPECT_EQ(accept(link, address).status, 401);
  EXPECT_TRUE(listed(address).empty());

  const auto again = invite(address);
  EXPECT_FALSE(again.empty());
  EXPECT_NE(again, id);
  const auto users = listed(address);
  ASSERT_EQ(users.size(), 1u) << users.dump();
  EXPECT_EQ(users[0]["id"], again);
  EXPECT_EQ(users[0]["status"], 4);  // Pending

  // The new invitation's link works; the deleted user's still does not.
  const auto links = links_to(address, 2);
  for (const auto& each : links) EXPECT_EQ(confirm(each)["result"], each.url == link.url ? 1 : 0) << each.url;
}

TEST_F(InvitationLife, EventsOfDisableAndDeleteAreKeyedByPortal) {
  const auto address = email("events");
  const auto id = invite(address);
  ASSERT_EQ(revoke("/api/2.0/people/status/2", id).status, 200);
  ASSERT_EQ(revoke("/api/2.0/people/delete", id).status, 200);
  for (const char* topic : {"people.user-disabled.v1", "people.user-deleted.v1"}) {
    std::size_t found = 0;
    for (const auto& record : stack().read_topic(topic, 1)) {
      if (record.value.find(id) == std::string::npos) continue;
      ++found;
      EXPECT_EQ(record.key, "localhost") << topic;
    }
    EXPECT_EQ(found, 1u) << topic;
  }
}

// A mailer whose SMTP server refuses every connection, giving up after one attempt.
class UndeliverableInvitation : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    stack_ = new Stack();
    stack_->start_mailer({"--smtp-url", "smtp://127.0.0.1:" + std::to_string(refused_port()), "--max-attempts", "1",
                          "--smtp-connect-timeout", "2s"});
  }
  static void TearDownTestSuite() {
    delete stack_;
    stack_ = nullptr;
  }
  static Stack* stack_;
};
Stack* UndeliverableInvitation::stack_ = nullptr;

TEST_F(UndeliverableInvitation, ShowsAsFailedWithItsReasonInTheList) {
  Stack& stack = *stack_;
  const auto address = "nowhere." + common::random_hex(4) + "@example.com";
  const auto owner = stack.owner_token();
  const auto invited = stack.invite(invite_body({{address, "User"}}), owner);
  ASSERT_EQ(invited.status, 200) << invited.body;

  // The mailer's own word for it, on invite.email-status.v1.
  std::string reason;
  eventually(
      [&] {
        for (const auto& record : stack.read_topic(std::string(events::topics::kEmailStatus), 1, 2s)) {
          auto status = events::decode_email_status(record.value);
          if (status && status->recipient_email == address && status->status == events::DeliveryStatus::Failed)
            reason = status->reason;
        }
        return !reason.empty();
      },
      30s);
  ASSERT_FALSE(reason.empty()) << file_text(stack.dir() / "mailer.log");

  json delivery;
  std::string listing;
  EXPECT_TRUE(eventually(
      [&] {
        const auto reply = stack.request(
            "GET", "/api/2.0/people/filter?filterValue=" + address.substr(0, address.find('@')), "", owner);
        listing = reply.body;
        if (reply.status != 200) return false;
        const auto body = json::parse(reply.body);  // kept alive: the loop below walks into it
        for (const auto& user : body["response"]) {
          if (user["email"] == address && user.contains("invitation"))
            delivery = user["invitation"].value("delivery", json());
        }
        return delivery.is_object();
      },
      20s))
      << listing;
  ASSERT_TRUE(delivery.is_object());
  EXPECT_EQ(delivery["status"], "failed") << delivery.dump();
  EXPECT_EQ(delivery["reason"], reason) << delivery.dump();
}

}  // namespace
}  // namespace invite::testing
