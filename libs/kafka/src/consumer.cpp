#include <algorithm>
#include <random>
#include <thread>

#include "internal.hpp"
#include "invite/common/log.hpp"
#include "invite/kafka/client.hpp"

namespace invite::kafka {
namespace {

// How long assign() asks for a group's committed offsets before it gives up (a coordinator moving after a broker
// died takes a few seconds; a service that cannot resume where it left off had better fail its start than guess).
constexpr std::chrono::seconds kCommittedOffsetsWait{30};

// librdkafka cannot create a KafkaConsumer without group.id. Consumers that never commit get a private,
// random group, which no other consumer shares and to which nothing is ever committed.
std::string anonymous_group_id() {
  std::random_device random;
  std::uniform_int_distribution<std::uint32_t> digits;
  return "invite-anonymous-" + std::to_string(digits(random)) + "-" + std::to_string(digits(random));
}

struct TopicPartitions {
  std::vector<RdKafka::TopicPartition*> list;
  TopicPartitions() = default;
  TopicPartitions(const TopicPartitions&) = delete;
  TopicPartitions& operator=(const TopicPartitions&) = delete;
  ~TopicPartitions() { RdKafka::TopicPartition::destroy(list); }
};

Headers copy_headers(const RdKafka::Message& message) {
  Headers result;
  const RdKafka::Headers* headers = const_cast<RdKafka::Message&>(message).headers();
  if (headers == nullptr) return result;
  for (const RdKafka::Headers::Header& h : headers->get_all()) {
    const auto* data = static_cast<const char*>(h.value());
    result.emplace_back(h.key(), data == nullptr ? std::string() : std::string(data, h.value_size()));
  }
  return result;
}

class ConsumerImpl final : public Consumer {
 public:
  explicit ConsumerImpl(std::string client_id) : events_(std::move(client_id)) {}

  common::Result<> init(const std::string& brokers, const std::string& group_id, const Properties& extra,
                        const std::string& client_id) {
    commits_ = !group_id.empty();
    const Properties defaults = {
        {"bootstrap.servers", brokers},
        {"client.id", client_id},
        {"group.id", commits_ ? group_id : anonymous_group_id()},
        {"enable.auto.commit", "false"},
        {"enable.auto.offset.store", "false"},
        {"auto.offset.reset", "earliest"},
        {"enable.partition.eof", "true"},
        // Eager strategies only: librdkafka 2.0.2's cooperative-sticky has known bugs.
        {"partition.assignment.strategy", "range,roundrobin"},
        // Small fetch requests and their answers must not wait for a delayed ACK.
        {"socket.nagle.disable", "true"},
        // librdkafka backs off reconnecting up to 10 s; after a broker outage that is up to 10 s more of 503s and
        // 504s once the broker is back. One attempt a second per broker costs nothing (fault suite: broker-down).
        {"reconnect.backoff.max.ms", "1000"},
    };
    // Our services store their offsets themselves (SQLite); an automatic commit would only mislead lag monitoring.
    auto made = detail::make_conf(defaults, extra, {{"enable.auto.commit", "false"}}, events_);
    if (!made) return made.error();
    std::string error;
    consumer_.reset(RdKafka::KafkaConsumer::create(made->get(), error));
    if (!consumer_) return common::fail("kafka consumer: " + error);
    return {};
  }

  ~ConsumerImpl() override { close(); }

  common::Result<> assign(const std::vector<Assignment>& partitions) override {
    if (closed_) return common::fail("consumer is closed");
    TopicPartitions tps;
    for (const Assignment& a : partitions) {
      tps.list.push_back(RdKafka::TopicPartition::create(a.topic, a.partition, a.offset));
    }
    if (auto resolved = resolve_stored_offsets(tps); !resolved) return resolved;
    const RdKafka::ErrorCode err = tps.list.empty() ? consumer_->unassign() : consumer_->assign(tps.list);
    if (err != RdKafka::ERR_NO_ERROR) return common::fail("kafka assign: " + RdKafka::err2str(err));
    return {};
  }

  // Replaces kOffsetStored by the group's committed offset, asked for here rather than left to librdkafka: 2.0.2
  // fetches it once when the partition is assigned, and when that one answer is an error (NOT_COORDINATOR while a
  // fresh cluster creates its offsets topic, or while a coordinator moves after a broker died) the partition is
  // never fetched at all, with no error but a log line (seen on Apache Kafka: a mailer that never sent). Errors are
  // retried until the deadline; a partition the group has no offset for starts at the beginning, as
  // auto.offset.reset=earliest would.
  common::Result<> resolve_stored_offsets(TopicPartitions& tps) {
    std::vector<RdKafka::TopicPartition*> stored;
    for (RdKafka::TopicPartition* tp : tps.list) {
      if (tp->offset() == kOffsetStored) stored.push_back(tp);
    }
    if (stored.empty()) return {};
    const auto deadline = std::chrono::steady_clock::now() + kCommittedOffsetsWait;
    std::string last_error;
    while (std::chrono::steady_clock::now() < deadline) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      RdKafka::ErrorCode err = consumer_->committed(stored, static_cast<int>(std::max<std::int64_t>(1, left.count())));
      for (const RdKafka::TopicPartition* tp : stored) {
        if (err == RdKafka::ERR_NO_ERROR && tp->err() != RdKafka::ERR_NO_ERROR) err = tp->err();
      }
      if (err == RdKafka::ERR_NO_ERROR) {
        for (RdKafka::TopicPartition* tp : stored) {
          if (tp->offset() < 0) tp->set_offset(kOffsetBeginning);  // nothing committed (RD_KAFKA_OFFSET_INVALID)
        }
        return {};
      }
      last_error = RdKafka::err2str(err);
      common::log_info("committed offsets not read yet", {{"error", last_error}});
      for (RdKafka::TopicPartition* tp : stored) tp->set_offset(kOffsetStored);
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    return common::fail("cannot read the group's committed offsets: " + last_error);
  }

  PollResult poll(std::chrono::milliseconds timeout) override {
    if (closed_) return PollError{"consumer is closed", true};
    std::unique_ptr<RdKafka::Message> message(consumer_->consume(static_cast<int>(timeout.count())));
    switch (message->err()) {
      case RdKafka::ERR_NO_ERROR: {
        InRecord record;
        record.topic = message->topic_name();
        record.partition = message->partition();
        record.offset = message->offset();
        if (const std::string* key = message->key(); key != nullptr) record.key = *key;
        record.value.assign(static_cast<const char*>(message->payload()), message->len());
        record.headers = copy_headers(*message);
        record.timestamp_ms = message->timestamp().timestamp;
        return record;
      }
      case RdKafka::ERR__PARTITION_EOF:
        return PartitionEof{message->topic_name(), message->partition(), message->offset()};
      case RdKafka::ERR__TIMED_OUT:
        return PollTimeout{};
      case RdKafka::ERR__FATAL: {
        std::string reason;
        const RdKafka::ErrorCode underlying = consumer_->fatal_error(reason);
        return PollError{"fatal: " + RdKafka::err2str(underlying) + ": " + reason, true};
      }
      default: {
        std::string text = message->errstr();
        if (!message->topic_name().empty()) {
          text += " (" + message->topic_name() + "/" + std::to_string(message->partition()) + ")";
        }
        return PollError{text, events_.fatal()};
      }
    }
  }

  void commit(const std::string& topic, std::int32_t partition, std::int64_t next_offset) override {
    if (closed_ || !commits_) return;
    TopicPartitions tps;
    tps.list.push_back(RdKafka::TopicPartition::create(topic, partition, next_offset));
    // The result arrives later and is only logged by librdkafka: commits serve lag monitoring, not correctness.
    consumer_->commitAsync(tps.list);
  }

  std::optional<std::pair<std::int64_t, std::int64_t>> watermarks(const std::string& topic, std::int32_t partition,
                                                                  std::chrono::milliseconds timeout) override {
    // A real cluster answers a topic created a moment ago with "leader not available" or "unknown partition" until
    // its metadata has spread, and a broker that just started with "coordinator load in progress": all of them
    // pass, so ask again until the deadline rather than give up on the first answer.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!closed_) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      std::int64_t low = 0;
      std::int64_t high = 0;
      const RdKafka::ErrorCode err =
          consumer_->query_watermark_offsets(topic, partition, &low, &high, static_cast<int>(left.count()));
      if (err == RdKafka::ERR_NO_ERROR) return std::make_pair(low, high);
      common::log_debug("watermarks not read yet",
                        {{"topic", topic}, {"partition", std::int64_t{partition}}, {"error", RdKafka::err2str(err)}});
      std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(200)));
    }
    return std::nullopt;
  }

  std::optional<std::int32_t> partition_count(const std::string& topic, std::chrono::milliseconds timeout) override {
    if (closed_) return std::nullopt;
    return detail::partition_count(*consumer_, topic, timeout);
  }

  void close() override {
    if (closed_ || !consumer_) return;
    closed_ = true;
    consumer_->close();
  }

 private:
  detail::EventLogger events_;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool commits_ = false;
  bool closed_ = false;
};

}  // namespace

common::Result<std::unique_ptr<Consumer>> Consumer::create(const std::string& brokers, const std::string& group_id,
                                                           const Properties& extra, const std::string& client_id) {
  auto consumer = std::make_unique<ConsumerImpl>(client_id);
  if (auto started = consumer->init(brokers, group_id, extra, client_id); !started) return started.error();
  return std::unique_ptr<Consumer>(std::move(consumer));
}

}  // namespace invite::kafka
