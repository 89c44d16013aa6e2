#pragma once
// An Apache Kafka cluster of a test's own, run by scripts/kafka (KRaft, from Maven Central) in a directory of the
// test's. The nodes are taken down when the object goes, and by scripts/kafka's watcher if the test process dies
// first, so no JVM outlives its test.
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace invite::testing {

// INVITE_TEST_KAFKA=real in the environment: the suites that support it run on real brokers instead of the mock.
bool real_kafka_requested();

// Runs a program, returns its exit status and standard output; standard error is appended to stderr_log.
std::pair<int, std::string> run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                                        const std::filesystem::path& stderr_log);

class RealKafka {
 public:
  // Starts `nodes` (1 or 3) nodes under dir; throws std::runtime_error with scripts/kafka's message on failure.
  RealKafka(std::filesystem::path dir, int nodes);
  ~RealKafka();  // scripts/kafka down
  RealKafka(const RealKafka&) = delete;
  RealKafka& operator=(const RealKafka&) = delete;

  const std::string& bootstrap() const { return bootstrap_; }
  int nodes() const { return nodes_; }

  // Node ids run from 1. Each throws on failure (start waits until the node serves again).
  void kill(int node);
  void start(int node);
  void pause(int node);
  void resume(int node);
  // Every node: stop (SIGTERM, as an operator's restart does) / start again on the same ports and data.
  void stop_all();
  void start_all();
  // The node leading a partition now, and the active KRaft controller; nullopt when the cluster cannot say.
  std::optional<int> leader(const std::string& topic, int partition) const;
  std::optional<int> controller() const;
  // Creates the service's topics (invitectl topics), each with `partitions` partitions.
  void create_topics(int partitions) const;

 private:
  std::pair<int, std::string> kafka(const std::vector<std::string>& args) const;
  void must(const std::vector<std::string>& args) const;

  std::filesystem::path dir_;
  int nodes_;
  std::string bootstrap_;
};

}  // namespace invite::testing
