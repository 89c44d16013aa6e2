// A fatal producer error (librdkafka 2.0.2 raises one, an out-of-order sequence, after some disconnects) must not
// leave a service up but unable to publish: it shows on /readyz and /metrics while it lasts, and the service
// recovers by itself. Caused through the test hook (INVITE_TEST_HOOKS=1), i.e. librdkafka's rd_kafka_test_fatal_error.
#include <gtest/gtest.h>

#include <thread>

#include "file_text.hpp"
#include "invite/common/files.hpp"
#include "invite/common/ids.hpp"
#include "stack.hpp"

namespace invite::testing {
namespace {

using namespace std::chrono_literals;

constexpr const char* kHook = "/test/kafka-fatal-error";
constexpr const char* kRecovering = "Kafka producer recovering from a fatal error";
constexpr const char* kMetric = "invite_kafka_producer_fatal_errors_total";

StackOptions hooked_options() {
  StackOptions options;
  options.partitions = 2;
  options.request_timeout = 4s;
  options.env = {{"INVITE_TEST_HOOKS", "1"}};
  return options;
}

std::uint16_t worker_port(const Stack& stack) {
  const auto text = file_text(stack.dir() / "worker.port");
  return static_cast<std::uint16_t>(text.empty() ? 0 : std::stoi(text));
}

HttpReply call(std::uint16_t port, const std::string& method, const std::string& target) {
  auto reply = http_request("127.0.0.1", port, method, target, {{"Host", "localhost"}}, "", 10s);
  if (!reply) {
    ADD_FAILURE() << method << " " << target << ": " << reply.error().message;
    return {};
  }
  return *reply;
}

// The sample of a metric without labels, or -1 when the text has none.
double metric_value(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + name.size() + 2));
}

// A client's behaviour: 503 and 504 are answered by trying again.
HttpReply invite_until_answered(const Stack& stack, const std::string& body, const std::string& token) {
  HttpReply reply;
  for (int attempt = 0; attempt < 10; ++attempt) {
    reply = stack.invite(body, token);
    if (reply.status != 503 && reply.status != 504) break;
    std::this_thread::sleep_for(500ms);
  }
  return reply;
}

TEST(KafkaFatalError, GatewayReportsItWhileItLastsAndRecovers) {
  Stack stack(hooked_options());
  const auto token = stack.owner_token();
  EXPECT_EQ(metric_value(call(stack.port(), "GET", "/metrics").body, kMetric), 0);

  // With the broker down the replacement producer cannot connect, so the recovery lasts until it is back.
  stack.set_broker_down(1);
  ASSERT_EQ(call(stack.port(), "POST", kHook).status, 202);
  HttpReply ready;
  EXPECT_TRUE(eventually(
      [&] {
        ready = call(stack.port(), "GET", "/readyz");
        return ready.status == 503 && ready.body.find(kRecovering) != std::string::npos;
      },
      5s))
      << ready.status << " " << ready.body;
  EXPECT_TRUE(eventually([&] { return metric_value(call(stack.port(), "GET", "/metrics").body, kMetric) == 1; }, 5s));
  std::this_thread::sleep_for(1500ms);
  ready = call(stack.port(), "GET", "/readyz");
  EXPECT_EQ(ready.status, 503);
  EXPECT_NE(ready.body.find(kRecovering), std::string::npos) << ready.body;
  const auto meanwhile =
      stack.invite(invite_body({{"meanwhile." + common::random_hex(4) + "@example.com", "User"}}), token);
  EXPECT_EQ(meanwhile.status, 503) << meanwhile.body;

  stack.set_broker_up(1);
  EXPECT_TRUE(eventually([&] { return call(stack.port(), "GET", "/readyz").status == 200; }, 20s));
  const auto address = "after-gateway." + common::random_hex(4) + "@example.com";
  const auto reply = invite_until_answered(stack, invite_body({{address, "User"}}), token);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(stack.users_with(address).size(), 1u);
  EXPECT_EQ(metric_value(call(stack.port(), "GET", "/metrics").body, kMetric), 1);
}

TEST(KafkaFatalError, WorkerReportsItWhileItLastsAndRecovers) {
  Stack stack(hooked_options());
  const auto token = stack.owner_token();
  const auto port = worker_port(stack);
  ASSERT_NE(port, 0);
  EXPECT_EQ(metric_value(stack.worker_metrics(), kMetric), 0);

  stack.set_broker_down(1);
  ASSERT_EQ(call(port, "POST", kHook).status, 202);
  HttpReply ready;
  EXPECT_TRUE(eventually(
      [&] {
        ready = call(port, "GET", "/readyz");
        return ready.status == 503 && ready.body.find(kRecovering) != std::string::npos;
      },
      5s))
      << ready.status << " " << ready.body;
  EXPECT_TRUE(eventually([&] { return metric_value(stack.worker_metrics(), kMetric) == 1; }, 5s));
  std::this_thread::sleep_for(1500ms);
  EXPECT_EQ(call(port, "GET", "/readyz").status, 503);

  stack.set_broker_up(1);
  EXPECT_TRUE(eventually([&] { return call(port, "GET", "/readyz").status == 200; }, 20s));
  EXPECT_TRUE(eventually([&] { return call(stack.port(), "GET", "/readyz").status == 200; }, 20s));
  // The reply and the e-mail job leave through the worker's new producer.
  const auto address = "after-worker." + common::random_hex(4) + "@example.com";
  const auto reply = invite_until_answered(stack, invite_body({{address, "User"}}), token);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(stack.email_jobs_for(address, 1).size(), 1u);
  EXPECT_EQ(metric_value(stack.worker_metrics(), kMetric), 1);
}

TEST(KafkaFatalError, InvitesShortlyAfterAreAnswered) {
  Stack stack(hooked_options());
  const auto token = stack.owner_token();
  ASSERT_EQ(call(stack.port(), "POST", kHook).status, 202);
  ASSERT_EQ(call(worker_port(stack), "POST", kHook).status, 202);
  const auto address = "shortly." + common::random_hex(4) + "@example.com";
  const auto reply = invite_until_answered(stack, invite_body({{address, "User"}}), token);
  EXPECT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(stack.users_with(address).size(), 1u);
  EXPECT_EQ(stack.email_jobs_for(address, 1).size(), 1u);
  EXPECT_TRUE(eventually([&] { return metric_value(stack.worker_metrics(), kMetric) == 1; }, 5s));
  EXPECT_EQ(metric_value(call(stack.port(), "GET", "/metrics").body, kMetric), 1);
}

TEST(KafkaFatalError, TheHookDoesNotExistWithoutTheVariable) {
  Stack stack({.partitions = 1, .request_timeout = 4s, .gateway_args = {}, .kafka_config = {}});
  EXPECT_EQ(call(stack.port(), "POST", kHook).status, 404);
  EXPECT_EQ(call(worker_port(stack), "POST", kHook).status, 404);
  EXPECT_EQ(call(stack.port(), "GET", "/readyz").status, 200);
}

}  // namespace
}  // namespace invite::testing
