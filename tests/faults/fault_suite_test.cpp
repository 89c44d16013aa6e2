// The fault suite: the real gateway and worker binaries under a steady stream of invite requests while processes
// are killed or stopped and the broker misbehaves. It runs twice: on librdkafka's mock cluster (in this process),
// which can inject request errors, and with INVITE_TEST_KAFKA=real on a three-node Apache Kafka (replication
// factor 3, min.insync.replicas 2), where brokers are really killed, paused and restarted and leaders move. Every
// scenario prints one "FAULTS <scenario>: ..." line with its figures (real-cluster scenarios are named "real3-...")
// and must show 0 lost, 0 duplicated, 0 unconverged.
#include <gtest/gtest.h>

#include <csignal>
#include <functional>
#include <optional>
#include <random>
#include <thread>

#include "invite/events/events.hpp"
#include "invite/kafka/client.hpp"
#include "invite/store/partition_store.hpp"
#include "load.hpp"

namespace invite::faults {
namespace {

using namespace std::chrono_literals;
using testing::Stack;
using Clock = std::chrono::steady_clock;

constexpr auto kRequestTimeout = 3s;

void expect_promises_kept(const Verdict& verdict) {
  ASSERT_EQ(verdict.beyond_retention, 0) << "the mock broker dropped records before they were judged: lower the load";
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

// One scenario: a stack (one gateway, or two with reply partitions 0 and 1), a load on its gateways, and at the
// end the judge's verdict, reported and checked against the promises.
class Scenario {
 public:
  explicit Scenario(std::string name, bool two_gateways = false, std::vector<std::string> kafka_config = {})
      : name_((testing::real_kafka_requested() ? "real3-" : "") + std::move(name)),
        stack_({.partitions = 4,
                .request_timeout = kRequestTimeout,
                .gateway_args = {},
                .kafka_config = std::move(kafka_config),
                .kafka_nodes = 3}) {
    std::vector<std::uint16_t> ports{stack_.port()};
    if (two_gateways) ports.push_back(stack_.start_extra_gateway(1));
    LoadOptions options;
    options.ports = std::move(ports);
    load_.emplace(stack_.owner_token(), std::move(options));
    load_->start();
  }

  Stack& stack() { return stack_; }
  const Load& load() const { return *load_; }

  // Stops the load (unfinished requests still converge), judges, prints the summary line and checks the promises.
  Exchanges finish(const std::map<std::string, std::string>& extra = {}) {
    load_->finish();
    const auto exchanges = load_->exchanges();
    const auto verdict = judge(stack_, load_->requests(), 60s);
    report(name_, exchanges, verdict, extra, Clock::now() - began_);
    expect_promises_kept(verdict);
    return exchanges;
  }

 private:
  std::string name_;
  Clock::time_point began_ = Clock::now();
  Stack stack_;
  std::optional<Load> load_;
};

// Unsent outbox rows left in the worker's files (read while the worker is stopped).
std::int64_t unsent_rows(const Stack& stack) {
  std::int64_t unsent = 0;
  for (const auto& [partition, file] : store::PartitionStore::list(stack.dir())) {
    auto opened = store::PartitionStore::open(file);
    if (opened) unsent += (*opened)->unsent_count();
  }
  return unsent;
}

TEST(Faults, WorkerKilledAtRandomMomentsAndRestarted) {
  Scenario scenario("worker-sigkill");
  std::mt19937 random(std::random_device{}());
  std::uniform_int_distribution<int> pause_ms(100, 900);
  int kills = 0;
  for (; kills < 22; ++kills) {
    std::this_thread::sleep_for(std::chrono::milliseconds(pause_ms(random)));
    scenario.stack().kill_worker();
    // A restart within the request timeout only delays answers; every seventh one comes after it, so that
    // clients get 504s and retry while their first attempts are still unread.
    if (kills % 7 == 3) std::this_thread::sleep_for(kRequestTimeout + 500ms);
    scenario.stack().start_worker();
  }
  std::this_thread::sleep_for(1s);
  scenario.finish({{"kills", std::to_string(kills)}});
  EXPECT_GE(kills, 20);
}

TEST(Faults, GatewayKilledMidStreamClientsRetryOnAnotherGateway) {
  Scenario scenario("gateway-sigkill", true);
  std::this_thread::sleep_for(3s);
  const auto status = scenario.stack().stop_gateway_with(SIGKILL, 5s);
  std::this_thread::sleep_for(4s);
  scenario.finish({{"kills", "1"}});
  EXPECT_TRUE(status.has_value());
}

// Runs the load for `before`, then `fault` (which returns when the fault is over), then `after`; the gateway must
// answer promptly throughout and serve again once the fault is over.
void broker_fault(const std::string& name, const std::function<void(Stack&)>& fault,
                  std::chrono::milliseconds before = 2s, std::chrono::milliseconds after = 3s,
                  std::vector<std::string> kafka_config = {}) {
  Scenario scenario(name, false, std::move(kafka_config));
  std::this_thread::sleep_for(before);
  fault(scenario.stack());
  const long ok_at_recovery = scenario.load().exchanges().ok;
  std::this_thread::sleep_for(after);
  // Counted before finish(): its retries would succeed late anyway.
  const long ok_after_fault = scenario.load().exchanges().ok - ok_at_recovery;
  const auto exchanges = scenario.finish({{"ok_after_fault", std::to_string(ok_after_fault)}});
  expect_prompt_answers(exchanges);
  EXPECT_GT(ok_after_fault, 0) << "no request succeeded once the fault was over";
}

// Injects one error every 250 ms for `length`, cycling through `codes`. The mock cluster queues pushed errors until
// requests take them, so pushing faster than clients send (they back off after an error) would leave a backlog
// that outlasts the fault.
void repeatedly(std::chrono::milliseconds length, const std::vector<int>& codes,
                const std::function<void(int)>& inject) {
  const auto until = Clock::now() + length;
  for (std::size_t i = 0; Clock::now() < until; ++i) {
    inject(codes[i % codes.size()]);
    std::this_thread::sleep_for(250ms);
  }
}

// One produce request in flight per connection, here only. The mock broker checks the sequence numbers of
// transactional producers alone: when it fails one of several requests in flight, it appends the later ones, which a
// real broker refuses as out of order. The idempotent producer, told that later records are stored, rightly
// concludes (for a real broker) that the earlier ones are too, and reports them delivered: the mock has lost them.
// A real broker never acknowledges past a gap, so five in flight stay safe in production.
TEST(Faults, BrokerProduceErrors) {
  if (testing::real_kafka_requested()) GTEST_SKIP() << "injected request errors: mock cluster only";
  broker_fault("broker-produce-errors",
               [](Stack& stack) {
                 // NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT: retriable, for gateway and worker
                 // alike.
                 repeatedly(6s, {19, 6, 7}, [&](int code) {
                   stack.cluster().push_request_errors(kafka::MockCluster::Api::Produce, {code});
                 });
               },
               2s, 3s, {"max.in.flight.requests.per.connection=1"});
}

TEST(Faults, BrokerFetchErrors) {
  if (testing::real_kafka_requested()) GTEST_SKIP() << "injected request errors: mock cluster only";
  broker_fault("broker-fetch-errors", [](Stack& stack) {
    // NOT_LEADER_OR_FOLLOWER and KAFKA_STORAGE_ERROR: the worker's and the reply consumer's fetches fail.
    repeatedly(6s, {6, 56},
               [&](int code) { stack.cluster().push_request_errors(kafka::MockCluster::Api::Fetch, {code}); });
  });
}

TEST(Faults, BrokerDownForSeconds) {
  if (testing::real_kafka_requested())
    GTEST_SKIP() << "on a real cluster: LeaderKilled, ControllerKilled, AllBrokersStopped";
  broker_fault(
      "broker-down",
      [](Stack& stack) {
        stack.set_broker_down(1);
        std::this_thread::sleep_for(5s);
        stack.set_broker_up(1);
      },
      2s, 5s);
}

TEST(Faults, BrokerHighLatency) {
  if (testing::real_kafka_requested()) GTEST_SKIP() << "injected latency: mock cluster only";
  broker_fault(
      "broker-high-latency",
      [](Stack& stack) {
        stack.cluster().set_broker_rtt(1, 2500ms);
        std::this_thread::sleep_for(5s);
        stack.cluster().set_broker_rtt(1, 0ms);
      },
      2s, 5s);
}

TEST(Faults, WorkerSigtermFinishesItsTransactionAndRelaysItsOutbox) {
  Scenario scenario("worker-sigterm");
  std::int64_t left_unsent = 0;
  int stops = 0;
  for (; stops < 3; ++stops) {
    std::this_thread::sleep_for(1500ms);
    const auto status = scenario.stack().stop_worker_with(SIGTERM, 15s);
    ASSERT_TRUE(status.has_value()) << "the worker ignored SIGTERM";
    EXPECT_EQ(*status, 0);
    left_unsent += unsent_rows(scenario.stack());
    scenario.stack().start_worker();
  }
  std::this_thread::sleep_for(1s);
  scenario.finish({{"stops", std::to_string(stops)}, {"unsent_at_exit", std::to_string(left_unsent)}});
  EXPECT_EQ(left_unsent, 0) << "the worker exited with outbox rows unsent";
}

TEST(Faults, GatewaySigtermDrainsWhileClientsMoveToAnotherGateway) {
  Scenario scenario("gateway-sigterm", true);
  std::this_thread::sleep_for(2s);
  const auto signalled = Clock::now();
  const auto status = scenario.stack().stop_gateway_with(SIGTERM, kRequestTimeout + 5s);
  const auto drained_in = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - signalled);
  std::this_thread::sleep_for(3s);
  const auto exchanges = scenario.finish({{"drained_ms", std::to_string(drained_in.count())}});
  ASSERT_TRUE(status.has_value()) << "the gateway did not exit after draining";
  EXPECT_EQ(*status, 0);
  // Draining answers what it accepted: a connection may be refused once it is gone, never broken mid-request.
  EXPECT_EQ(exchanges.errors.count("transport"), 0u);
}

// ---------------------------------------------------------------------------------------------------------------
// A real three-node cluster only: what the mock cannot do (leaders move, a controller is elected, a broker is fenced).

#define REAL_CLUSTER_ONLY()             \
  if (!testing::real_kafka_requested()) \
  GTEST_SKIP() << "a real cluster's fault: INVITE_TEST_KAFKA=real (ctest -L realkafka)"

// The partition of invite.requested.v1 the load writes: all its requests are keyed by one portal, so the only
// partition that grows.
int busiest_requested_partition(const Stack& stack) {
  auto created = kafka::Consumer::create(stack.brokers(), "", {}, "faults-probe");
  auto consumer = std::move(created.value());
  const std::string topic(events::topics::kRequested);
  int busiest = 0;
  std::int64_t most = -1;
  for (int p = 0; p < 4; ++p) {
    const auto marks = consumer->watermarks(topic, p, 5s);
    if (marks && marks->second - marks->first > most) {
      most = marks->second - marks->first;
      busiest = p;
    }
  }
  consumer->close();
  return busiest;
}

TEST(Faults, LeaderKilledMidStreamThenRestarted) {
  REAL_CLUSTER_ONLY();
  int killed = 0;
  broker_fault(
      "leader-sigkill",
      [&killed](Stack& stack) {
        const int partition = busiest_requested_partition(stack);
        const auto leader = stack.real_cluster().leader(std::string(events::topics::kRequested), partition);
        ASSERT_TRUE(leader.has_value());
        killed = *leader;
        stack.real_cluster().kill(killed);
        std::this_thread::sleep_for(8s);  // fenced after 4 s: its partitions move to the other two
        stack.real_cluster().start(killed);
      },
      3s, 5s);
  EXPECT_GE(killed, 1);
}

TEST(Faults, ActiveControllerKilledThenRestarted) {
  REAL_CLUSTER_ONLY();
  broker_fault(
      "controller-sigkill",
      [](Stack& stack) {
        const auto controller = stack.real_cluster().controller();
        ASSERT_TRUE(controller.has_value());
        stack.real_cluster().kill(*controller);
        std::this_thread::sleep_for(6s);
        stack.real_cluster().start(*controller);
      },
      3s, 5s);
}

TEST(Faults, BrokerPausedLongerThanItsSessionTimeout) {
  REAL_CLUSTER_ONLY();
  broker_fault(
      "broker-sigstop",
      [](Stack& stack) {
        // The leader of the written partition, so that the pause is felt: produce requests to it hang until it is
        // fenced (broker.session.timeout.ms 4 s) and leadership moves.
        const auto leader =
            stack.real_cluster().leader(std::string(events::topics::kRequested), busiest_requested_partition(stack));
        ASSERT_TRUE(leader.has_value());
        stack.real_cluster().pause(*leader);
        std::this_thread::sleep_for(10s);
        stack.real_cluster().resume(*leader);
      },
      3s, 8s);
}

TEST(Faults, AllBrokersStoppedForTenSecondsThenStarted) {
  REAL_CLUSTER_ONLY();
  broker_fault(
      "all-brokers-stopped",
      [](Stack& stack) {
        stack.real_cluster().stop_all();
        std::this_thread::sleep_for(10s);
        stack.real_cluster().start_all();
      },
      3s, 8s);
}

}  // namespace
}  // namespace invite::faults
