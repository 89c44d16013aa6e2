#pragma once
// Thin adapters over librdkafka. They own the configuration rules the design fixes (idempotent producer,
// eager assignment, manual offsets) and pass every other librdkafka property through unchanged.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "invite/common/message.hpp"
#include "invite/common/result.hpp"

namespace invite::kafka {

// librdkafka properties from --kafka-config key=value, applied after our defaults (so they can override them,
// except the ones the design requires: enable.idempotence for producers, enable.auto.commit=false for consumers).
using Properties = std::vector<std::pair<std::string, std::string>>;
using Headers = common::Headers;

std::optional<std::string> header(const Headers& headers, std::string_view key);

// The services' own message type, so that an outbox row needs no conversion on its way to the producer.
using OutRecord = common::Message;

struct DeliveryReport {
  bool ok = false;
  std::string error;        // when !ok
  bool queue_full = false;  // refused at once: the queue is at queue.buffering.max.messages (or .kbytes)
  std::int32_t partition = -1;
  std::int64_t offset = -1;
};

class Producer {
 public:
  // Defaults: enable.idempotence=true, acks=all, partitioner=murmur2_random, linger.ms=5,
  // reconnect.backoff.max.ms=1000, message.timeout.ms=<delivery_timeout>. A background thread serves delivery
  // reports. An error names the property librdkafka refused ("kafka property linger.ms: ...").
  static common::Result<std::unique_ptr<Producer>> create(const std::string& brokers, const Properties& extra,
                                                          std::chrono::milliseconds delivery_timeout,
                                                          const std::string& client_id);
  virtual ~Producer() = default;

  // Never blocks for long: when librdkafka's queue is full the report says so at once. on_delivery runs
  // exactly once, on the producer's thread (or inline on immediate failure).
  virtual void produce(OutRecord record, std::function<void(const DeliveryReport&)> on_delivery) = 0;
  // Records handed to produce() whose delivery has not been reported yet (queued or in flight).
  virtual std::size_t queued() const = 0;
  // True while the producer has a usable connection to the cluster (metadata answered recently).
  virtual bool connected() const = 0;
  // Waits for outstanding deliveries; returns the number still undelivered.
  virtual int flush(std::chrono::milliseconds timeout) = 0;
  // Number of partitions of a topic, from cluster metadata; nullopt when unknown in time.
  virtual std::optional<std::int32_t> partition_count(const std::string& topic, std::chrono::milliseconds timeout) = 0;

  // A fatal error (librdkafka's rd_kafka_fatal_error, e.g. 2.0.2's out-of-order sequence after a disconnect)
  // ends a librdkafka producer for good. This one then fails everything still undelivered (each callback still
  // runs once) and replaces its librdkafka producer by a new one from the same configuration; produce() goes on
  // working meanwhile (failing at once until the new one is there). Callers must treat a failed delivery as
  // "maybe not published" and publish again: a retried record may reach Kafka twice.
  // Fatal errors seen so far (each one recovered from, or being).
  virtual std::uint64_t fatal_errors() const { return 0; }
  // True from a fatal error until the new librdkafka producer has reached the cluster.
  virtual bool recovering() const { return false; }
  // For the project's tests only: raises a fatal error (OUT_OF_ORDER_SEQUENCE_NUMBER) through librdkafka's own
  // test hook, as librdkafka 2.0.2 does after some disconnects.
  virtual void inject_fatal_error_for_test(const std::string& reason) { (void)reason; }
};

struct InRecord {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::string key;
  std::string value;
  Headers headers;
  std::int64_t timestamp_ms = 0;
};
struct PartitionEof {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t next_offset = 0;
};
struct PollTimeout {};
struct PollError {
  std::string message;
  bool fatal = false;
};
using PollResult = std::variant<InRecord, PartitionEof, PollTimeout, PollError>;

inline constexpr std::int64_t kOffsetBeginning = -2;
inline constexpr std::int64_t kOffsetEnd = -1;
// The offset the consumer's group committed last; the beginning when the group has none. For consumers whose
// group offsets are their resume point (the mailer). assign() reads it from the group coordinator itself, asking
// again for up to 30 s while the coordinator is not there, and fails rather than guess.
inline constexpr std::int64_t kOffsetStored = -1000;

struct Assignment {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = kOffsetBeginning;  // absolute, or kOffsetBeginning / kOffsetEnd / kOffsetStored
};

class Consumer {
 public:
  // Defaults: enable.auto.commit=false, enable.auto.offset.store=false, auto.offset.reset=earliest,
  // enable.partition.eof=true, partition.assignment.strategy=range,roundrobin (eager; librdkafka 2.0.2's
  // cooperative-sticky has known bugs), reconnect.backoff.max.ms=1000. group_id may be empty for consumers that never
  // commit.
  static common::Result<std::unique_ptr<Consumer>> create(const std::string& brokers, const std::string& group_id,
                                                          const Properties& extra, const std::string& client_id);
  virtual ~Consumer() = default;

  // Manual assignment (replaces any previous one). Our services own their partitions explicitly.
  virtual common::Result<> assign(const std::vector<Assignment>& partitions) = 0;
  virtual PollResult poll(std::chrono::milliseconds timeout) = 0;
  // Asynchronous commit of "next offset to read" to the consumer group (for lag monitoring only).
  virtual void commit(const std::string& topic, std::int32_t partition, std::int64_t next_offset) = 0;
  // Low and high watermarks, asked again until `timeout` while the cluster answers with an error (a new topic,
  // a starting broker); nullopt when none came in time.
  virtual std::optional<std::pair<std::int64_t, std::int64_t>> watermarks(const std::string& topic,
                                                                          std::int32_t partition,
                                                                          std::chrono::milliseconds timeout) = 0;
  virtual std::optional<std::int32_t> partition_count(const std::string& topic, std::chrono::milliseconds timeout) = 0;
  // Leaves the group and releases the assignment; idempotent, also done by the destructor.
  virtual void close() = 0;
};

// librdkafka's mock cluster: real Kafka protocol on loopback ports, in this process. For the devstack and tests.
class MockCluster {
 public:
  static common::Result<std::unique_ptr<MockCluster>> create(int brokers);
  virtual ~MockCluster() = default;
  virtual std::string bootstrap_servers() const = 0;  // "127.0.0.1:port,..."
  virtual common::Result<> create_topic(const std::string& topic, int partitions) = 0;

  // Fault injection, for the fault suite. Broker ids run from 1 to the number of brokers.
  // The next requests of this kind, from any client to any broker, fail with these Kafka protocol error codes
  // (one request per code, in order), e.g. 6 NOT_LEADER_OR_FOLLOWER, 7 REQUEST_TIMED_OUT, 19 NOT_ENOUGH_REPLICAS.
  enum class Api : std::int16_t { Produce = 0, Fetch = 1, ListOffsets = 2, Metadata = 3, InitProducerId = 22 };
  virtual void push_request_errors(Api api, const std::vector<int>& kafka_error_codes) = 0;
  // A broker that is down closes its connections and refuses new ones until it is up again.
  virtual void set_broker_down(std::int32_t broker_id) = 0;
  virtual void set_broker_up(std::int32_t broker_id) = 0;
  // Every answer of the broker is held back this long (0 restores it).
  virtual void set_broker_rtt(std::int32_t broker_id, std::chrono::milliseconds rtt) = 0;

  // Properties for the clients of a mock cluster (pass them before the user's own --kafka-config). The mock holds
  // an empty fetch for the whole fetch.wait.max.ms (500 ms by default) even when records arrive meanwhile, where a
  // real broker answers at once; without a short wait every hop of a request would cost half a second.
  static Properties client_properties();
};

}  // namespace invite::kafka

// --- Topic administration (Admin API) ------------------------------------------------------------------------------
namespace invite::kafka {

// A topic as it should be created. Existing topics are never altered: their partitions, replicas and config stay.
struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  Properties config;  // topic-level configs for creation, e.g. {"min.insync.replicas", "1"}, {"retention.ms", ...}
};

// What ensure_topics found or did, one per spec, in the specs' order.
struct TopicState {
  std::string name;
  int partitions = 0;               // as the cluster has it now
  int replication_factor = 0;       // replicas of its first partition
  int wanted_partitions = 0;        // the spec's
  bool created = false;             // by this call; false: it existed (also when another client created it meanwhile)
  bool too_few_partitions = false;  // existed with fewer than wanted: reported, never recreated or grown
};

// Creates every missing topic of `specs` and waits until each one has a leader for every partition. Idempotent. A
// topic with fewer partitions than its spec is reported (too_few_partitions), not an error here: what that means
// is the caller's decision. Unreachable brokers, a refused creation or topics without leaders when `timeout`
// (the bound of the whole call) ends are a one-line error. `extra` is --kafka-config (TLS, SASL, ...).
common::Result<std::vector<TopicState>> ensure_topics(const std::string& brokers, const Properties& extra,
                                                      const std::vector<TopicSpec>& specs,
                                                      std::chrono::milliseconds timeout);

}  // namespace invite::kafka
