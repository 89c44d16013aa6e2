// What clients see when parts of the system are down, and that nothing is lost or doubled on the way back.
#include <gtest/gtest.h>

#include <csignal>
#include <regex>
#include <thread>

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

std::size_t count_users(const Stack& stack, const std::string& address) { return stack.users_with(address).size(); }
// The e-mail jobs for the address once `expected` of them are there (or 10 s passed): the relay publishes after
// the reply, so the job may still be on its way when the client has its 200.
std::size_t count_email_jobs(const Stack& stack, const std::string& address, std::size_t expected) {
  return stack.email_jobs_for(address, expected).size();
}

TEST(WorkerDown, TimesOutWithin504ThenTheSameRequestSucceedsWithoutDuplicate) {
  Stack stack({.partitions = 2, .request_timeout = 2s, .gateway_args = {}, .kafka_config = {}});
  const auto address = "late." + common::random_hex(4) + "@example.com";
  const auto body = invite_body({{address, "User"}});
  const auto token = stack.owner_token();
  stack.stop_worker();

  const auto started = std::chrono::steady_clock::now();
  const auto timed_out = stack.invite(body, token);
  const auto waited = std::chrono::steady_clock::now() - started;
  ASSERT_EQ(timed_out.status, 504) << timed_out.body;
  EXPECT_EQ(json::parse(timed_out.body)["error"]["type"], "GatewayTimeout");
  EXPECT_GE(waited, 1900ms);
  EXPECT_LT(waited, 5s);

  stack.start_worker();
  const auto retried = stack.invite(body, token);
  ASSERT_EQ(retried.status, 200) << retried.body;
  EXPECT_EQ(count_users(stack, address), 1u);
  std::this_thread::sleep_for(500ms);  // let any (wrong) second job reach the topic
  EXPECT_EQ(count_email_jobs(stack, address, 1), 1u);
}

TEST(WorkerRestart, ResumesFromItsStoredOffsetWithoutReapplying) {
  Stack stack({.partitions = 1, .request_timeout = 10s, .gateway_args = {}, .kafka_config = {}});
  const auto token = stack.owner_token();
  const auto first = "first." + common::random_hex(4) + "@example.com";
  ASSERT_EQ(stack.invite(invite_body({{first, "User"}}), token).status, 200);

  stack.stop_worker();
  stack.start_worker();
  const auto second = "second." + common::random_hex(4) + "@example.com";
  ASSERT_EQ(stack.invite(invite_body({{second, "User"}}), token).status, 200);
  std::this_thread::sleep_for(500ms);  // let any (wrong) second job reach the topic
  EXPECT_EQ(count_email_jobs(stack, first, 1), 1u);
  EXPECT_EQ(count_email_jobs(stack, second, 1), 1u);
  EXPECT_EQ(stack.read_topic(std::string(events::topics::kReplies), 2, 5s).size(), 2u);
}

TEST(WorkerInput, UnparseableRecordGoesToTheDlqAndTheWorkerCarriesOn) {
  Stack stack({.partitions = 1, .request_timeout = 10s, .gateway_args = {}, .kafka_config = {}});
  auto created = kafka::Producer::create(stack.brokers(), {}, 5s, "it-poison");
  ASSERT_TRUE(created) << created.error().message;
  auto producer = std::move(*created);
  std::atomic<bool> delivered{false};
  producer->produce({std::string(events::topics::kRequested), 0, "localhost", "{not json", {{"x-test", "1"}}},
                    [&](const kafka::DeliveryReport& report) { delivered = report.ok; });
  producer->flush(5s);
  ASSERT_TRUE(delivered);

  std::vector<kafka::InRecord> dlq;
  ASSERT_TRUE(eventually([&] {
    dlq = stack.read_topic(std::string(events::topics::kRequestedDlq), 1, 2s);
    return dlq.size() == 1;
  }));
  EXPECT_EQ(dlq[0].value, "{not json");
  EXPECT_EQ(dlq[0].key, "localhost");
  EXPECT_EQ(kafka::header(dlq[0].headers, "x-test"), "1");
  EXPECT_EQ(kafka::header(dlq[0].headers, "dlq-source"), "invite.requested.v1/0/0");
  EXPECT_TRUE(kafka::header(dlq[0].headers, "dlq-error").has_value());

  const auto address = "after." + common::random_hex(4) + "@example.com";
  EXPECT_EQ(stack.invite(invite_body({{address, "User"}}), stack.owner_token()).status, 200);
}

TEST(BrokerDown, PublishingFailsWith503AndRetryAfter) {
  Stack stack(
      {.partitions = 1, .request_timeout = 10s, .gateway_args = {"--delivery-timeout", "1s"}, .kafka_config = {}});
  const auto token = stack.owner_token();
  stack.stop_cluster();
  const auto reply = stack.invite(invite_body({{"nobroker@example.com", "User"}}), token);
  ASSERT_EQ(reply.status, 503) << reply.body;
  EXPECT_FALSE(reply.header("Retry-After").empty());
  EXPECT_EQ(json::parse(reply.body)["error"]["type"], "BrokerUnavailable");
}

}  // namespace
}  // namespace invite::testing

namespace invite::testing {
namespace {

TEST(WorkerInput, RequestWhoseRecordsStopArrivingIsDroppedAfterItsDeadline) {
  Stack stack({.partitions = 1, .request_timeout = 10s, .gateway_args = {}, .kafka_config = {}});
  // What a gateway that died while publishing leaves behind: the first of two records, deadline passed.
  events::RequestedInvitation record;
  record.event_id = common::new_uuid();
  record.occurred_at_ms = common::now_ms() - 5000;
  record.request_id = common::new_uuid();
  record.index = 0;
  record.count = 2;
  record.deadline_ms = common::now_ms() - 1000;
  record.portal = "localhost";
  record.inviter_id = common::new_uuid();
  record.culture = "en-US";
  record.invitation = {"orphan@example.com", domain::EmployeeType::User};
  auto created = kafka::Producer::create(stack.brokers(), {}, 5s, "it-orphan");
  ASSERT_TRUE(created) << created.error().message;
  auto producer = std::move(*created);
  producer->produce({std::string(events::topics::kRequested), 0, "localhost", events::encode_requested(record), {}},
                    [](const kafka::DeliveryReport&) {});
  ASSERT_EQ(producer->flush(5s), 0);

  EXPECT_TRUE(eventually([&] {
    return stack.worker_metrics().find("invite_worker_incomplete_requests_dropped_total 1") != std::string::npos;
  })) << stack.worker_metrics();
  EXPECT_EQ(count_users(stack, "orphan@example.com"), 0u);
  // Nothing is held back behind it.
  const auto address = "after-orphan." + common::random_hex(4) + "@example.com";
  EXPECT_EQ(stack.invite(invite_body({{address, "User"}}), stack.owner_token()).status, 200);
}

TEST(BrokerRestart, EmptyNewTopicsAreReadFromTheStartAndUsersStayUnique) {
  // The devstack's broker keeps records in memory: after its restart the worker's stored offsets point beyond
  // the new topics' ends.
  Stack stack({.partitions = 1, .request_timeout = 10s, .gateway_args = {}, .kafka_config = {}});
  const auto address = "restart." + common::random_hex(4) + "@example.com";
  const auto first = stack.invite(invite_body({{address, "User"}}), stack.owner_token());
  ASSERT_EQ(first.status, 200) << first.body;
  ASSERT_EQ(stack.invite(invite_body({{"filler." + address, "User"}}), stack.owner_token()).status, 200);

  stack.restart_cluster();
  const auto again = stack.invite(invite_body({{address, "User"}}), stack.owner_token());
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(json::parse(again.body)["response"][0]["id"], json::parse(first.body)["response"][0]["id"]);
  EXPECT_EQ(count_users(stack, address), 1u);
  EXPECT_EQ(count_email_jobs(stack, address, 0), 0u);  // the new broker never saw a second job
  const auto log = file_text(stack.dir() / "worker.log");
  EXPECT_NE(log.find("beyond the partition's end"), std::string::npos);
}

}  // namespace
}  // namespace invite::testing

namespace invite::testing {
namespace {

TEST(GatewayShutdown, SigtermDrainsPublishedRequestsAndRefusesNewOnes) {
  Stack stack({.partitions = 1, .request_timeout = 3s, .gateway_args = {}, .kafka_config = {}});
  const auto token = stack.owner_token();
  stack.stop_worker();  // keeps the first request pending until its deadline

  std::optional<HttpReply> in_flight;
  std::thread client([&] { in_flight = stack.invite(invite_body({{"draining@example.com", "User"}}), token); });
  std::this_thread::sleep_for(500ms);
  const auto signalled = std::chrono::steady_clock::now();
  stack.signal_gateway(SIGTERM);
  std::this_thread::sleep_for(200ms);

  const auto refused = stack.invite(invite_body({{"late-comer@example.com", "User"}}), token);
  EXPECT_EQ(refused.status, 503) << refused.body;
  EXPECT_EQ(json::parse(refused.body)["error"]["type"], "ShuttingDown");
  EXPECT_EQ(refused.header("Retry-After"), "1");
  EXPECT_EQ(stack.get("/readyz").status, 503);

  client.join();
  ASSERT_TRUE(in_flight.has_value());
  EXPECT_EQ(in_flight->status, 504) << in_flight->body;  // answered, not cut off
  const auto status = stack.stop_gateway_with(SIGTERM, 10s);
  ASSERT_TRUE(status.has_value());
  EXPECT_EQ(*status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - signalled, 6s);
}

// A metric's value from a Prometheus text page (0 when absent).
double metric(const std::string& page, const std::string& name) {
  std::smatch m;
  if (!std::regex_search(page, m, std::regex("\\n" + name + " ([0-9.e+]+)\\n"))) return 0;
  return std::stod(m[1].str());
}

TEST(WorkerBacklog, RequestsWaitingTogetherAreMadeDurableInGroupsAndDecidedInOrder) {
  Stack stack({.partitions = 1, .request_timeout = 20s, .gateway_args = {}, .kafka_config = {}});
  const auto token = stack.owner_token();
  const std::string run = common::random_hex(4);
  const std::string shared = "shared." + run + "@example.com";
  constexpr int kRequests = 20;
  stack.stop_worker();

  // Every request waits in the topic for the worker; two of them invite the same person.
  std::vector<std::thread> clients;
  std::vector<int> statuses(kRequests, 0);
  for (int r = 0; r < kRequests; ++r) {
    clients.emplace_back([&, r] {
      const std::string address = r < 2 ? shared : "r" + std::to_string(r) + "." + run + "@example.com";
      statuses[static_cast<std::size_t>(r)] = stack.invite(invite_body({{address, "User"}}), token).status;
    });
  }
  std::this_thread::sleep_for(1500ms);  // all published (the gateway answers nothing yet)
  stack.start_worker();
  for (auto& client : clients) client.join();
  for (int r = 0; r < kRequests; ++r) EXPECT_EQ(statuses[static_cast<std::size_t>(r)], 200) << "request " << r;

  const auto page = stack.worker_metrics();
  EXPECT_EQ(metric(page, "invite_worker_group_requests_sum"), kRequests) << page;
  EXPECT_LT(metric(page, "invite_worker_group_requests_count"), kRequests) << "no two requests shared a commit";
  // The later of the two saw the earlier one's user inside the same group: one user, one e-mail.
  EXPECT_EQ(count_users(stack, shared), 1u);
  std::this_thread::sleep_for(500ms);
  EXPECT_EQ(count_email_jobs(stack, shared, 1), 1u);
  std::size_t stored = 0;
  for (const auto& user : stack.users()) stored += user["email"].get<std::string>().find(run) != std::string::npos;
  EXPECT_EQ(stored, static_cast<std::size_t>(kRequests - 1));
}

}  // namespace
}  // namespace invite::testing
