#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "invite/kafka/client.hpp"

namespace invite::kafka {
namespace {

// librdkafka 2.0.2's mock cluster (checked by experiment): it serves idempotent producers (InitProducerId),
// Fetch, ListOffsets, OffsetCommit/OffsetFetch for groups without subscription, and any process that can reach
// its loopback ports, so the devstack's children use it like a real broker. Its data lives in this process:
// destroying the cluster loses every topic. Unlike a broker configured for production, it creates any unknown
// topic a metadata request names (4 partitions), so a misspelt topic shows up as an empty one rather than an
// error. Destroying it takes about a second (its thread polls once a second).
class MockClusterImpl final : public MockCluster {
 public:
  MockClusterImpl(rd_kafka_t* handle, rd_kafka_mock_cluster_t* cluster) : handle_(handle), cluster_(cluster) {}
  MockClusterImpl(const MockClusterImpl&) = delete;
  MockClusterImpl& operator=(const MockClusterImpl&) = delete;
  ~MockClusterImpl() override {
    // The cluster runs on the handle's threads: it must go first.
    rd_kafka_mock_cluster_destroy(cluster_);
    rd_kafka_destroy(handle_);
  }

  std::string bootstrap_servers() const override { return rd_kafka_mock_cluster_bootstraps(cluster_); }

  common::Result<> create_topic(const std::string& topic, int partitions) override {
    const rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster_, topic.c_str(), partitions, 1);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return common::fail("create topic " + topic + ": " + rd_kafka_err2str(err));
    return {};
  }

  void push_request_errors(Api api, const std::vector<int>& kafka_error_codes) override {
    std::vector<rd_kafka_resp_err_t> errors;
    errors.reserve(kafka_error_codes.size());
    for (int code : kafka_error_codes) errors.push_back(static_cast<rd_kafka_resp_err_t>(code));
    rd_kafka_mock_push_request_errors_array(cluster_, static_cast<std::int16_t>(api), errors.size(), errors.data());
  }

  void set_broker_down(std::int32_t broker_id) override { rd_kafka_mock_broker_set_down(cluster_, broker_id); }
  void set_broker_up(std::int32_t broker_id) override { rd_kafka_mock_broker_set_up(cluster_, broker_id); }
  void set_broker_rtt(std::int32_t broker_id, std::chrono::milliseconds rtt) override {
    rd_kafka_mock_broker_set_rtt(cluster_, broker_id, static_cast<int>(rtt.count()));
  }

 private:
  rd_kafka_t* handle_;
  rd_kafka_mock_cluster_t* cluster_;
};

}  // namespace

// 1 ms: each hop of a request costs up to this wait (two hops per request), and an idle client polls the mock
// this often (benchmark: 1 ms costs a few percent of a core per idle devstack; docs/performance.md).
Properties MockCluster::client_properties() { return {{"fetch.wait.max.ms", "1"}}; }

common::Result<std::unique_ptr<MockCluster>> MockCluster::create(int brokers) {
  if (brokers < 1) return common::fail("mock cluster needs at least one broker");
  char error[512] = {};
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The host handle never connects anywhere; without this it warns that bootstrap.servers is missing.
  if (rd_kafka_conf_set(conf, "log_level", "4", error, sizeof error) != RD_KAFKA_CONF_OK ||
      // The mock's broker connections take their socket options from this handle: without TCP_NODELAY a response
      // written in pieces waits for the client's delayed ACK, 40 ms on Linux, on about half of all hops.
      rd_kafka_conf_set(conf, "socket.nagle.disable", "true", error, sizeof error) != RD_KAFKA_CONF_OK) {
    rd_kafka_conf_destroy(conf);
    return common::fail(std::string("mock cluster: ") + error);
  }
  rd_kafka_t* handle = rd_kafka_new(RD_KAFKA_PRODUCER, conf, error, sizeof error);  // takes conf
  if (handle == nullptr) {
    rd_kafka_conf_destroy(conf);
    return common::fail(std::string("mock cluster handle: ") + error);
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(handle, brokers);
  if (cluster == nullptr) {
    rd_kafka_destroy(handle);
    return common::fail("mock cluster: could not start (no free loopback ports?)");
  }
  return std::unique_ptr<MockCluster>(std::make_unique<MockClusterImpl>(handle, cluster));
}

}  // namespace invite::kafka
