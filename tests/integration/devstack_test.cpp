// invite-devstack as a newcomer runs it: one command, then the printed curl works, then Ctrl-C stops everything.
#include <gtest/gtest.h>

#include <csignal>

#include "child_process.hpp"
#include "file_text.hpp"
#include "invite/common/files.hpp"
#include "invite/common/ids.hpp"
#include "invite/events/events.hpp"
#include "invite/kafka/client.hpp"
#include "stack.hpp"

namespace invite::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

TEST(Devstack, StartsServesAnInviteAndStopsCleanlyOnCtrlC) {
  if (real_kafka_requested())
    GTEST_SKIP() << "the embedded broker is the subject; tests/realkafka runs the devstack on a real one";
  const auto dir = std::filesystem::temp_directory_path() / ("invite-devstack-" + common::random_hex(6));
  auto devstack = devstack::ChildProcess::spawn(
      {INVITE_DEVSTACK_BIN, {"--data-dir", dir.string(), "--port", "0"}, {}, dir.string() + ".log", false});
  ASSERT_TRUE(devstack) << devstack.error().message;

  std::string manifest;
  ASSERT_TRUE(eventually([&] { return !(manifest = file_text(dir / "devstack.json")).empty(); }, 60s))
      << "no devstack.json; log: " << file_text(dir.string() + ".log");
  const auto info = json::parse(manifest);
  for (const char* field : {"url", "brokers", "portal", "token", "tokenSecretFile"}) {
    EXPECT_TRUE(info.contains(field)) << field;
  }
  const std::string url = info["url"];
  const auto port = static_cast<std::uint16_t>(std::stoi(url.substr(url.rfind(':') + 1)));
  const std::string address = "newcomer." + common::random_hex(4) + "@example.com";
  auto reply = http_request("127.0.0.1", port, "POST", "/api/2.0/people/invite",
                            {{"Host", "localhost:" + std::to_string(port)},
                             {"Content-Type", "application/json"},
                             {"Cookie", "asc_auth_key=" + info["token"].get<std::string>()}},
                            R"({"invitations":[{"email":")" + address + R"(","type":"User"}]})");
  ASSERT_TRUE(reply);
  ASSERT_EQ(reply->status, 200) << reply->body;
  EXPECT_EQ(json::parse(reply->body)["response"][0]["displayName"], address);

  // The printed curl command carries the same token and URL.
  const auto output = file_text(dir.string() + ".log");
  EXPECT_NE(output.find("curl"), std::string::npos) << output;
  EXPECT_NE(output.find(url + "/api/2.0/people/invite"), std::string::npos) << output;

  // invitectl sees the user in the devstack's data directory, pending.
  const auto [status_code, users] =
      run_invitectl({"users", "--json", "--data-dir", dir.string()}, dir.string() + ".invitectl.log");
  ASSERT_EQ(status_code, 0);
  bool pending = false;
  for (const auto& user : json::parse(users)) pending |= user["email"] == address && user["status"] == 4;
  EXPECT_TRUE(pending) << users;

  // Its e-mail job, with a confirmation link, is on the embedded broker.
  bool job = false;
  eventually(
      [&] {
        for (const auto& record : read_topic(info["brokers"], std::string(events::topics::kEmails), 1, 5s)) {
          auto decoded = events::decode_email_job(record.value);
          if (decoded && decoded->recipient_email == address) {
            job = decoded->confirmation_link.find("/confirm/LinkInvite?type=LinkInvite&key=") != std::string::npos;
          }
        }
        return job;
      },
      15s);
  EXPECT_TRUE(job);

  // The devstack's mailer wrote the invitation as an .eml file and printed its path to the devstack's output.
  const std::string printed = "invitation e-mail for " + address + ": ";
  std::string eml_path;
  EXPECT_TRUE(eventually(
      [&] {
        const auto out = file_text(dir.string() + ".log");
        const auto at = out.find(printed);
        if (at == std::string::npos) return false;
        eml_path = out.substr(at + printed.size(), out.find('\n', at) - at - printed.size());
        return true;
      },
      30s))
      << file_text(dir / "mailer.log");
  EXPECT_EQ(std::filesystem::path(eml_path).parent_path(), dir / "outbox-mail");
  const auto eml = file_text(eml_path);
  EXPECT_NE(eml.find("\r\nTo: <" + address + ">\r\n"), std::string::npos) << eml;
  EXPECT_NE(eml.find("\r\nSubject: Join Local DocSpace DocSpace\r\n"), std::string::npos) << eml;
  EXPECT_NE(eml.find("/confirm/LinkInvite?type=3DLinkInvite"), std::string::npos) << eml;
  EXPECT_EQ(info["outboxMailDir"], (dir / "outbox-mail").string());
  // ... and announced it.
  bool sent = false;
  eventually(
      [&] {
        for (const auto& record : read_topic(info["brokers"], std::string(events::topics::kEmailStatus), 1, 5s)) {
          auto decoded = events::decode_email_status(record.value);
          if (decoded && decoded->recipient_email == address) {
            sent = decoded->status == events::DeliveryStatus::Sent;
          }
        }
        return sent;
      },
      15s);
  EXPECT_TRUE(sent);

  // Ctrl-C: everything stops, exit status 0, nothing listens any more.
  devstack->signal(SIGINT);
  const auto status = devstack->wait_for(20s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
  EXPECT_FALSE(http_request("127.0.0.1", port, "GET", "/healthz", {}, "", 2s).has_value());

  std::error_code ec;
  if (!::testing::Test::HasFailure()) {
    std::filesystem::remove_all(dir, ec);
    std::filesystem::remove(dir.string() + ".log", ec);
    std::filesystem::remove(dir.string() + ".invitectl.log", ec);
  }
}

}  // namespace
}  // namespace invite::testing
