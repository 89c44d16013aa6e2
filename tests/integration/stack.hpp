#pragma once
// A whole invite service for one test suite: a Kafka cluster of its own with the service's topics, and
// invite-worker and invite-gateway started as real child processes on a fresh data directory and a free port.
// The cluster is librdkafka's in-process mock, or with INVITE_TEST_KAFKA=real an Apache Kafka started by
// scripts/kafka (ctest label realkafka); tests of what only the mock can do (injected request errors) skip there.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process.hpp"
#include "invite/domain/types.hpp"
#include "invite/events/events.hpp"
#include "invite/kafka/client.hpp"
#include "support/http_client.hpp"
#include "support/real_kafka.hpp"

namespace invite::testing {

struct StackOptions {
  int partitions = 4;
  std::chrono::milliseconds request_timeout{std::chrono::seconds(10)};
  std::vector<std::string> gateway_args;  // extra flags
  std::vector<std::string> kafka_config;  // more --kafka-config entries, for gateway and worker
  int kafka_nodes = 1;                    // brokers of a real cluster (1 or 3: replication factor 3, min ISR 2)
  std::vector<std::pair<std::string, std::string>> env{};  // more environment, for gateway and worker
};

class Stack {
 public:
  explicit Stack(StackOptions options = {});
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  void start_worker();
  void stop_worker();
  // SIGKILL: the worker gets no chance to finish anything.
  void kill_worker();
  // Signals the worker and waits for its exit status (nullopt if it is still running after timeout).
  std::optional<int> stop_worker_with(int signo, std::chrono::milliseconds timeout);
  void start_gateway();
  // invite-mailer on this stack's cluster in its own consumer group: without extra_args it writes each e-mail as
  // an .eml file into outbox_dir(); extra_args (e.g. --smtp-url, --max-attempts) are added as given. It runs until
  // the stack ends.
  void start_mailer(const std::vector<std::string>& extra_args = {});
  std::filesystem::path outbox_dir() const { return dir_ / "outbox-mail"; }
  // Another gateway on the same cluster with its own reply partition (as a second replica); returns its port.
  // It runs until the stack ends.
  std::uint16_t start_extra_gateway(std::int32_t reply_partition);
  // True when the stack runs on a real Apache Kafka (INVITE_TEST_KAFKA=real).
  bool real_kafka() const { return real_ != nullptr; }
  // The mock cluster under the services, for injected request errors; only when !real_kafka().
  kafka::MockCluster& cluster();
  // The real cluster under the services; only when real_kafka().
  RealKafka& real_cluster();
  // A broker stops answering (the mock closes its sockets; a real one is SIGSTOPped) and answers again.
  void set_broker_down(std::int32_t broker_id);
  void set_broker_up(std::int32_t broker_id);
  // Destroys the Kafka cluster under the running services (to test what they do without a broker).
  void stop_cluster() {
    cluster_.reset();
    real_.reset();
  }
  // Stops both services, replaces the cluster by a new, empty one (as a devstack restart does), restarts them.
  void restart_cluster();
  // Signals the gateway and waits for its exit status (nullopt if it is still running after timeout).
  std::optional<int> stop_gateway_with(int signo, std::chrono::milliseconds timeout);
  void signal_gateway(int signo) { gateway_->signal(signo); }
  // GET /metrics of the worker.
  std::string worker_metrics() const;
  std::uint16_t port() const { return port_; }
  const std::filesystem::path& dir() const { return dir_; }
  std::string brokers() const { return brokers_; }

  // A token of this stack's secret: a fresh user id unless given.
  std::string token(domain::Role role, const std::string& portal = "localhost", std::int64_t ttl_s = 3600,
                    const std::string& user_id = "") const;
  std::string owner_token(const std::string& portal = "localhost") const { return token(domain::Role::Owner, portal); }

  // POST /api/2.0/people/invite with Host `portal`, Content-Type application/json and the token as cookie
  // (no cookie when token is empty). extra headers are added as given.
  HttpReply invite(const std::string& body, const std::string& token, const std::string& portal = "localhost",
                   std::vector<std::pair<std::string, std::string>> extra = {}) const;
  HttpReply get(const std::string& target) const;
  // Any request to the gateway with Host `portal` (and Content-Type application/json when there is a body); the
  // token, when given, as the asc_auth_key cookie. extra headers are added as given.
  HttpReply request(const std::string& method, const std::string& target, const std::string& body = "",
                    const std::string& token = "", std::vector<std::pair<std::string, std::string>> extra = {},
                    const std::string& portal = "localhost") const;

  // Every record of a topic on this stack's cluster; see the free read_topic().
  std::vector<kafka::InRecord> read_topic(const std::string& topic, std::size_t expected = 0,
                                          std::chrono::milliseconds timeout = std::chrono::seconds(10)) const;

  // invitectl with the arguments; returns exit status and stdout.
  std::pair<int, std::string> invitectl(const std::vector<std::string>& args) const;
  // `invitectl users --data-dir <dir> --json`, as parsed JSON.
  nlohmann::json users() const;
  // The stored users with exactly this e-mail.
  std::vector<nlohmann::json> users_with(const std::string& email) const;
  // The e-mail jobs on invite.emails.v1 for this recipient, read until there are at least `at_least` (or 10 s).
  std::vector<events::EmailJob> email_jobs_for(const std::string& email, std::size_t at_least = 0) const;

 private:
  StackOptions options_;
  std::filesystem::path dir_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  std::unique_ptr<RealKafka> real_;
  std::string brokers_;
  std::string token_secret_;
  std::optional<devstack::ChildProcess> worker_;
  std::optional<devstack::ChildProcess> gateway_;
  std::optional<devstack::ChildProcess> mailer_;
  std::vector<devstack::ChildProcess> extra_gateways_;
  void start_cluster();
  // Spawns a gateway logging to <name>.log and waits until it is ready; returns it and its port.
  std::pair<devstack::ChildProcess, std::uint16_t> spawn_gateway(const std::string& name,
                                                                 const std::vector<std::string>& extra_args);
  std::uint16_t port_ = 0;
};

// Every record of a topic, all partitions, read from the beginning until `expected` records were seen and
// every partition reported its end (or the timeout passed).
std::vector<kafka::InRecord> read_topic(const std::string& brokers, const std::string& topic, std::size_t expected = 0,
                                        std::chrono::milliseconds timeout = std::chrono::seconds(10));

// The built invitectl with the arguments; returns its exit status and stdout (stderr is appended to stderr_log).
std::pair<int, std::string> run_invitectl(const std::vector<std::string>& args,
                                          const std::filesystem::path& stderr_log);

// Builds {"invitations":[{"email":e,"type":t}...]} (type omitted when empty).
std::string invite_body(const std::vector<std::pair<std::string, std::string>>& invitations,
                        const std::string& culture = "");

// Polls until pred() or timeout; returns pred()'s last value.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return pred();
}

}  // namespace invite::testing
