// Bounds on what the gateway holds: past them it answers 503 with Retry-After at once and publishes nothing.
#include <gtest/gtest.h>

#include <thread>

#include "invite/common/ids.hpp"
#include "invite/events/events.hpp"
#include "stack.hpp"

namespace invite::testing {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

std::string unique(const std::string& label) { return label + "." + common::random_hex(4) + "@example.com"; }

bool metric_reads(const Stack& stack, const std::string& line) {
  return stack.get("/metrics").body.find(line + "\n") != std::string::npos;
}

TEST(Overload, AFullProducerQueueAnswers503BeforePublishingAnyRecordOfTheRequest) {
  // Delivery timeout 5 s (the stack's rule): long enough for the whole test to happen while records wait.
  Stack stack(
      {.partitions = 1, .request_timeout = 12s, .gateway_args = {"--max-queued-records", "4"}, .kafka_config = {}});
  const auto token = stack.owner_token();
  const std::vector<std::string> first{unique("q1"), unique("q2"), unique("q3")};
  const std::vector<std::string> refused{unique("r1"), unique("r2")};
  const std::string last = unique("q4");

  // With the broker down, records stay in the producer's queue until they are delivered or time out.
  stack.set_broker_down(1);
  std::optional<HttpReply> first_reply;
  std::thread first_client([&] {
    first_reply = stack.invite(invite_body({{first[0], "User"}, {first[1], "User"}, {first[2], "User"}}), token);
  });
  ASSERT_TRUE(eventually([&] { return metric_reads(stack, "invite_gateway_invitations_published_total 3"); }));

  const auto started = std::chrono::steady_clock::now();
  const auto full = stack.invite(invite_body({{refused[0], "User"}, {refused[1], "User"}}), token);
  EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
  ASSERT_EQ(full.status, 503) << full.body;
  EXPECT_EQ(json::parse(full.body)["error"]["type"], "Overloaded");
  EXPECT_EQ(full.header("Retry-After"), "1");

  // One more record still fits the bound of four.
  std::optional<HttpReply> last_reply;
  std::thread last_client([&] { last_reply = stack.invite(invite_body({{last, "User"}}), token); });
  ASSERT_TRUE(eventually([&] { return metric_reads(stack, "invite_gateway_invitations_published_total 4"); }));

  stack.set_broker_up(1);
  first_client.join();
  last_client.join();
  ASSERT_TRUE(first_reply && last_reply);
  EXPECT_EQ(first_reply->status, 200) << first_reply->body;
  EXPECT_EQ(last_reply->status, 200) << last_reply->body;

  // The refused request left no record and no user behind.
  for (const auto& record : stack.read_topic(std::string(events::topics::kRequested), 4)) {
    auto decoded = events::decode_requested(record.value);
    ASSERT_TRUE(decoded) << decoded.error().message;
    const auto& email = decoded->invitation.email;
    EXPECT_NE(email, refused[0]);
    EXPECT_NE(email, refused[1]);
  }
  EXPECT_TRUE(stack.users_with(refused[0]).empty());
  EXPECT_EQ(stack.users_with(first[2]).size(), 1u);

  // Its retry, once there is room, goes through.
  const auto retried = stack.invite(invite_body({{refused[0], "User"}, {refused[1], "User"}}), token);
  EXPECT_EQ(retried.status, 200) << retried.body;
}

}  // namespace
}  // namespace invite::testing
