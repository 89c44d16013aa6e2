// The fault suite: the real gateway and worker binaries under a steady stream of invite requests while processes
// are killed or stopped and the broker misbehaves (librdkafka's mock cluster, in this process). Every scenario
// prints one "FAULTS <scenario>: ..." line with its figures and must show 0 lost, 0 duplicated, 0 unconverged.
#include <gtest/gtest.h>

#include <csignal>
#include <random>
#include <thread>

#include "invite/store/partition_store.hpp"
#include "load.hpp"

namespace invite::faults {
namespace {

using namespace std::chrono_literals;
using testing::Stack;
using Clock = std::chrono::steady_clock;

constexpr auto kRequestTimeout = 3s;

void expect_promises_kept(const Verdict& verdict) {
  EXPECT_GT(verdict.invitations, 0);
  EXPECT_EQ(verdict.lost, 0);
  EXPECT_EQ(verdict.duplicates, 0);
  EXPECT_EQ(verdict.unconverged, 0);
  EXPECT_EQ(verdict.stored, verdict.invitations);
  EXPECT_EQ(verdict.email_jobs, verdict.invitations);
  EXPECT_EQ(verdict.events, verdict.invitations);
}

// A client must never wait on a hanging gateway: every answer comes by the request timeout, plus the delivery
// timeout's margin for a request that failed to publish late.
void expect_prompt_answers(const Exchanges& exchanges) {
  EXPECT_LT(exchanges.slowest, kRequestTimeout + 2s) << "slowest answer " << exchanges.slowest.count() << " ms";
}

Stack new_stack() { return Stack({.partitions = 4, .request_timeout = kRequestTimeout, .gateway_args = {}}); }

LoadOptions on(std::vector<std::uint16_t> ports) {
  LoadOptions options;
  options.ports = std::move(ports);
  return options;
}

// Unsent outbox rows left in the worker's files (read while the worker is stopped).
std::int64_t unsent_rows(const Stack& stack) {
  std::int64_t unsent = 0;
  for (const auto& [partition, file] : store::PartitionStore::list(stack.dir())) {
    auto opened = store::PartitionStore::open(file);
    if (auto* store = std::get_if<std::unique_ptr<store::PartitionStore>>(&opened)) unsent += (*store)->unsent_count();
  }
  return unsent;
}

TEST(Faults, WorkerKilledAtRandomMomentsAndRestarted) {
  const auto began = Clock::now();
  Stack stack = new_stack();
  Load load(stack.owner_token(), on({stack.port()}));
  load.start();
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(100, 900);
  int kills = 0;
  for (; kills < 22; ++kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    stack.kill_worker();
    stack.start_worker();
  }
  std::this_thread::sleep_for(1s);
  load.finish();
  const auto verdict = judge(stack, load.requests(), 60s);
  report("worker-sigkill", load.exchanges(), verdict, {{"kills", std::to_string(kills)}}, Clock::now() - began);
  expect_promises_kept(verdict);
  EXPECT_GE(kills, 20);
}

TEST(Faults, GatewayKilledMidStreamClientsRetryOnAnotherGateway) {
  const auto began = Clock::now();
  Stack stack = new_stack();
  const auto second = stack.start_extra_gateway(1);
  Load load(stack.owner_token(), on({stack.port(), second}));
  load.start();
  std::this_thread::sleep_for(3s);
  const auto status = stack.stop_gateway_with(SIGKILL, 5s);
  std::this_thread::sleep_for(4s);
  load.finish();
  const auto verdict = judge(stack, load.requests(), 60s);
  report("gateway-sigkill", load.exchanges(), verdict, {{"kills", "1"}}, Clock::now() - began);
  ASSERT_TRUE(status.has_value());
  expect_promises_kept(verdict);
}

// Runs the load for `before`, then `fault` (which returns when the fault is over), then `after`.
void broker_fault(const std::string& scenario, const std::function<void(Stack&)>& fault,
                  std::chrono::milliseconds before = 2s, std::chrono::milliseconds after = 3s) {
  const auto began = Clock::now();
  Stack stack = new_stack();
  Load load(stack.owner_token(), on({stack.port()}));
  load.start();
  std::this_thread::sleep_for(before);
  fault(stack);
  const long ok_at_recovery = load.exchanges().ok;
  std::this_thread::sleep_for(after);
  load.finish();
  const auto exchanges = load.exchanges();
  const auto verdict = judge(stack, load.requests(), 60s);
  report(scenario, exchanges, verdict, {{"ok_after_fault", std::to_string(exchanges.ok - ok_at_recovery)}},
         Clock::now() - began);
  expect_promises_kept(verdict);
  expect_prompt_answers(exchanges);
  EXPECT_GT(exchanges.ok - ok_at_recovery, 0) << "no request succeeded once the fault was over";
}

// Injects one error every 250 ms for `length`, cycling through `codes`. The mock cluster queues pushed errors until
// requests take them, so pushing faster than clients send (they back off after an error) would leave a backlog
// that outlasts the fault.
void repeatedly(std::chrono::milliseconds length, const std::vector<int>& codes, const std::function<void(int)>& inject) {
  const auto until = Clock::now() + length;
  for (std::size_t i = 0; Clock::now() < until; ++i) {
    inject(codes[i % codes.size()]);
    std::this_thread::sleep_for(250ms);
  }
}

TEST(Faults, BrokerProduceErrors) {
  broker_fault("broker-produce-errors", [](Stack& stack) {
    // NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT: retriable, for gateway and worker alike.
    repeatedly(6s, {19, 6, 7}, [&](int code) {
      stack.cluster().push_request_errors(kafka::MockCluster::Api::Produce, {code});
    });
  });
}

TEST(Faults, BrokerFetchErrors) {
  broker_fault("broker-fetch-errors", [](Stack& stack) {
    // NOT_LEADER_OR_FOLLOWER and KAFKA_STORAGE_ERROR: the worker's and the reply consumer's fetches fail.
    repeatedly(6s, {6, 56}, [&](int code) { stack.cluster().push_request_errors(kafka::MockCluster::Api::Fetch, {code}); });
  });
}

TEST(Faults, BrokerDownForSeconds) {
  broker_fault("broker-down", [](Stack& stack) {
    stack.cluster().set_broker_down(1);
    std::this_thread::sleep_for(5s);
    stack.cluster().set_broker_up(1);
  }, 2s, 5s);
}

TEST(Faults, BrokerHighLatency) {
  broker_fault("broker-high-latency", [](Stack& stack) {
    stack.cluster().set_broker_rtt(1, 2500ms);
    std::this_thread::sleep_for(5s);
    stack.cluster().set_broker_rtt(1, 0ms);
  }, 2s, 5s);
}

TEST(Faults, WorkerSigtermFinishesItsTransactionAndRelaysItsOutbox) {
  const auto began = Clock::now();
  Stack stack = new_stack();
  Load load(stack.owner_token(), on({stack.port()}));
  load.start();
  std::int64_t left_unsent = 0;
  int stops = 0;
  for (; stops < 3; ++stops) {
    std::this_thread::sleep_for(1500ms);
    const auto status = stack.stop_worker_with(SIGTERM, 15s);
    ASSERT_TRUE(status.has_value()) << "the worker ignored SIGTERM";
    EXPECT_EQ(*status, 0);
    left_unsent += unsent_rows(stack);
    stack.start_worker();
  }
  std::this_thread::sleep_for(1s);
  load.finish();
  const auto verdict = judge(stack, load.requests(), 60s);
  report("worker-sigterm", load.exchanges(), verdict,
         {{"stops", std::to_string(stops)}, {"unsent_at_exit", std::to_string(left_unsent)}}, Clock::now() - began);
  expect_promises_kept(verdict);
  EXPECT_EQ(left_unsent, 0) << "the worker exited with outbox rows unsent";
}

TEST(Faults, GatewaySigtermDrainsWhileClientsMoveToAnotherGateway) {
  const auto began = Clock::now();
  Stack stack = new_stack();
  const auto second = stack.start_extra_gateway(1);
  Load load(stack.owner_token(), on({stack.port(), second}));
  load.start();
  std::this_thread::sleep_for(2s);
  const auto signalled = Clock::now();
  const auto status = stack.stop_gateway_with(SIGTERM, kRequestTimeout + 5s);
  const auto drained_in = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - signalled);
  std::this_thread::sleep_for(3s);
  load.finish();
  const auto exchanges = load.exchanges();
  const auto verdict = judge(stack, load.requests(), 60s);
  report("gateway-sigterm", exchanges, verdict, {{"drained_ms", std::to_string(drained_in.count())}},
         Clock::now() - began);
  ASSERT_TRUE(status.has_value()) << "the gateway did not exit after draining";
  EXPECT_EQ(*status, 0);
  expect_promises_kept(verdict);
  // Draining answers what it accepted: a connection may be refused once it is gone, never broken mid-request.
  EXPECT_EQ(exchanges.errors.count("transport"), 0u);
}

}  // namespace
}  // namespace invite::faults
