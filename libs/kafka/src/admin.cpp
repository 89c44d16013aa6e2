// Topic creation through Kafka's Admin API. librdkafka's C++ API has no admin calls, so the handle is made with the
// C++ API (same property handling as the producer and consumer) and its C handle does CreateTopics.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "invite/common/log.hpp"
#include "invite/kafka/client.hpp"

namespace invite::kafka {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// An answer from the cluster is waited for in slices no longer than this, so that librdkafka's error events (which
// carry the reason a broker is unreachable) are served between them.
constexpr int kSliceMs = 2000;
constexpr std::chrono::milliseconds kLeaderPollInterval = 200ms;

// ensure_topics is one operation whose outcome is returned as a value: librdkafka's own lines ("connection
// refused", retries, ...) are debug logs, and the last error it reported becomes part of the returned message.
class QuietEvents : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override {
    const bool error = event.type() == RdKafka::Event::EVENT_ERROR ||
                       (event.type() == RdKafka::Event::EVENT_LOG && static_cast<int>(event.severity()) <= 3);
    if (event.type() == RdKafka::Event::EVENT_LOG || event.type() == RdKafka::Event::EVENT_ERROR) {
      common::log_debug("librdkafka", {{"client", std::string("invite-admin")},
                                       {"facility", event.fac()},
                                       {"error", RdKafka::err2str(event.err())},
                                       {"detail", event.str()}});
    }
    if (error && !event.str().empty()) {
      std::lock_guard lock(mutex_);
      last_error_ = event.str();
    }
  }
  std::string last_error() {
    std::lock_guard lock(mutex_);
    return last_error_;
  }

 private:
  std::mutex mutex_;
  std::string last_error_;
};

int remaining_ms(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::max<long long>(0, left));
}

// The wait of one request: a slice, at most what is left, and never 0 (which librdkafka reads as "do not wait").
int slice_ms(Clock::time_point deadline) { return std::max(1, std::min(remaining_ms(deadline), kSliceMs)); }

std::string seconds_text(std::chrono::milliseconds d) {
  const auto ms = d.count();
  return ms % 1000 == 0 ? std::to_string(ms / 1000) + "s" : std::to_string(ms) + "ms";
}

// Owners of librdkafka's C objects.
struct NewTopicDeleter {
  void operator()(rd_kafka_NewTopic_t* p) const { rd_kafka_NewTopic_destroy(p); }
};
struct OptionsDeleter {
  void operator()(rd_kafka_AdminOptions_t* p) const { rd_kafka_AdminOptions_destroy(p); }
};
struct QueueDeleter {
  void operator()(rd_kafka_queue_t* p) const { rd_kafka_queue_destroy(p); }
};
struct EventDeleter {
  void operator()(rd_kafka_event_t* p) const { rd_kafka_event_destroy(p); }
};

class Admin {
 public:
  static common::Result<std::unique_ptr<Admin>> create(const std::string& brokers, const Properties& extra) {
    auto admin = std::unique_ptr<Admin>(new Admin());
    std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
    std::string error;
    const Properties defaults = {{"client.id", "invite-admin"}, {"reconnect.backoff.max.ms", "1000"}};
    const Properties required = {{"bootstrap.servers", brokers}};
    for (const Properties* properties : {&defaults, &extra, &required}) {
      for (const auto& [key, value] : *properties) {
        if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK)
          return common::fail("kafka property " + key + ": " + error);
      }
    }
    if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&admin->events_), error) != RdKafka::Conf::CONF_OK) {
      return common::fail("kafka event callback: " + error);
    }
    // A producer handle is the lightest one that can send admin requests; it never produces.
    admin->handle_.reset(RdKafka::Producer::create(conf.get(), error));
    if (!admin->handle_) return common::fail("cannot create kafka admin client: " + error);
    return admin;
  }

  // All topics' metadata, asked in slices until `deadline`; an error when the cluster never answered.
  common::Result<std::unique_ptr<RdKafka::Metadata>> metadata(Clock::time_point deadline, const std::string& brokers,
                                                              std::chrono::milliseconds timeout) {
    RdKafka::ErrorCode last = RdKafka::ERR__TIMED_OUT;
    bool retriable = true;
    do {
      RdKafka::Metadata* raw = nullptr;
      last = handle_->metadata(true, nullptr, &raw, slice_ms(deadline));
      handle_->poll(0);  // serves error events
      if (last == RdKafka::ERR_NO_ERROR) return std::unique_ptr<RdKafka::Metadata>(raw);
      delete raw;
      // Brokers that are down or starting may answer soon; a refused configuration (SASL, TLS) will not.
      retriable =
          last == RdKafka::ERR__TIMED_OUT || last == RdKafka::ERR__TRANSPORT || last == RdKafka::ERR__ALL_BROKERS_DOWN;
    } while (retriable && Clock::now() < deadline);
    std::string message = retriable ? "no answer from Kafka at " + brokers + " within " + seconds_text(timeout)
                                    : "Kafka at " + brokers + " refused the client";
    message += " (" + RdKafka::err2str(last);
    if (const std::string detail = events_.last_error(); !detail.empty()) message += ": " + detail;
    return common::fail(message + ")");
  }

  // CreateTopics for `specs`; per topic nothing (created), "exists" (another client was first), or an error.
  common::Result<std::vector<bool>> create_topics(const std::vector<const TopicSpec*>& specs,
                                                  Clock::time_point deadline) {
    rd_kafka_t* rk = handle_->c_ptr();
    char errstr[512] = {0};
    std::vector<std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter>> owned;
    std::vector<rd_kafka_NewTopic_t*> topics;
    for (const TopicSpec* spec : specs) {
      std::unique_ptr<rd_kafka_NewTopic_t, NewTopicDeleter> topic(
          rd_kafka_NewTopic_new(spec->name.c_str(), spec->partitions, spec->replication_factor, errstr, sizeof errstr));
      if (!topic) return common::fail("topic " + spec->name + ": " + errstr);
      for (const auto& [key, value] : spec->config) {
        if (rd_kafka_NewTopic_set_config(topic.get(), key.c_str(), value.c_str()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
          return common::fail("topic " + spec->name + ": bad config " + key + "=" + value);
        }
      }
      topics.push_back(topic.get());
      owned.push_back(std::move(topic));
    }
    const int budget = remaining_ms(deadline);
    if (budget < 100) return common::fail("no time left to create the topics");
    std::unique_ptr<rd_kafka_AdminOptions_t, OptionsDeleter> options(
        rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
    // The controller answers once the topics exist (operation timeout); the request gives up at the deadline.
    if (rd_kafka_AdminOptions_set_request_timeout(options.get(), budget, errstr, sizeof errstr) ||
        rd_kafka_AdminOptions_set_operation_timeout(options.get(), budget, errstr, sizeof errstr)) {
      return common::fail(std::string("admin options: ") + errstr);
    }
    std::unique_ptr<rd_kafka_queue_t, QueueDeleter> queue(rd_kafka_queue_new(rk));
    rd_kafka_CreateTopics(rk, topics.data(), topics.size(), options.get(), queue.get());
    // librdkafka reports the request's own timeout as the result; the margin only guards against it not doing so.
    std::unique_ptr<rd_kafka_event_t, EventDeleter> event(rd_kafka_queue_poll(queue.get(), budget + 2000));
    if (!event)
      return common::fail("no answer to CreateTopics within " + seconds_text(std::chrono::milliseconds(budget)));
    if (rd_kafka_event_error(event.get()) != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return common::fail(std::string("CreateTopics failed: ") + rd_kafka_event_error_string(event.get()));
    }
    const rd_kafka_CreateTopics_result_t* result = rd_kafka_event_CreateTopics_result(event.get());
    if (result == nullptr) return common::fail("CreateTopics: unexpected answer");
    std::size_t count = 0;
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(result, &count);
    std::vector<bool> created(specs.size(), false);
    for (std::size_t i = 0; i < count; ++i) {
      const std::string name = rd_kafka_topic_result_name(results[i]);
      const rd_kafka_resp_err_t err = rd_kafka_topic_result_error(results[i]);
      // Already there: another creator (a second devstack, an operator) won the race; that is what we wanted.
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR && err != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        const char* detail = rd_kafka_topic_result_error_string(results[i]);
        return common::fail("cannot create topic " + name + ": " +
                            (detail != nullptr && *detail ? detail : rd_kafka_err2str(err)));
      }
      for (std::size_t s = 0; s < specs.size(); ++s) {
        if (specs[s]->name == name) created[s] = err == RD_KAFKA_RESP_ERR_NO_ERROR;
      }
    }
    return created;
  }

  // Never negative: poll(-1) would wait forever.
  // True when the partition's leader answers for its log (ListOffsets). A new partition's leader is in the metadata
  // a moment before that broker serves it, and a client that reads offsets right away (the gateway) would fail.
  bool serves(const std::string& topic, std::int32_t partition, Clock::time_point deadline) {
    std::int64_t low = 0;
    std::int64_t high = 0;
    return handle_->query_watermark_offsets(topic, partition, &low, &high, slice_ms(deadline)) == RdKafka::ERR_NO_ERROR;
  }

  void pause(std::chrono::milliseconds d) { handle_->poll(static_cast<int>(std::max<long long>(0, d.count()))); }

 private:
  Admin() = default;
  QuietEvents events_;  // outlives the handle (declared first, destroyed last)
  std::unique_ptr<RdKafka::Producer> handle_;
};

const RdKafka::TopicMetadata* find_topic(const RdKafka::Metadata& metadata, const std::string& name) {
  for (const RdKafka::TopicMetadata* topic : *metadata.topics()) {
    if (topic->topic() == name) return topic;
  }
  return nullptr;
}

// Listed by the cluster: ready, or still being created (no leaders yet). A topic the cluster does not list is missing.
bool listed(const RdKafka::TopicMetadata* topic) {
  return topic != nullptr &&
         (topic->err() == RdKafka::ERR_NO_ERROR || topic->err() == RdKafka::ERR_LEADER_NOT_AVAILABLE) &&
         !topic->partitions()->empty();
}

bool has_leaders(const RdKafka::TopicMetadata* topic) {
  if (!listed(topic)) return false;
  return std::all_of(topic->partitions()->begin(), topic->partitions()->end(),
                     [](const RdKafka::PartitionMetadata* p) { return p->leader() >= 0; });
}

}  // namespace

common::Result<std::vector<TopicState>> ensure_topics(const std::string& brokers, const Properties& extra,
                                                      const std::vector<TopicSpec>& specs,
                                                      std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  auto made = Admin::create(brokers, extra);
  if (!made) return made.error();
  Admin& admin = **made;

  auto first = admin.metadata(deadline, brokers, timeout);
  if (!first) return first.error();
  std::vector<const TopicSpec*> missing;
  for (const TopicSpec& spec : specs) {
    if (!listed(find_topic(**first, spec.name))) {
      missing.push_back(&spec);
    }
  }

  std::vector<TopicState> states;
  for (const TopicSpec& spec : specs) {
    TopicState state;
    state.name = spec.name;
    state.wanted_partitions = spec.partitions;
    states.push_back(state);
  }
  if (!missing.empty()) {
    auto created = admin.create_topics(missing, deadline);
    if (!created) return created.error();
    for (std::size_t i = 0; i < missing.size(); ++i) {
      if (!(*created)[i]) continue;
      for (TopicState& state : states) {
        if (state.name == missing[i]->name) state.created = true;
      }
    }
  }

  // A new topic is usable once every partition has a leader that serves it; the metadata of a broker may lag the
  // controller's.
  while (true) {
    auto current = admin.metadata(deadline, brokers, timeout);
    if (!current) return current.error();
    const auto& metadata = **current;
    std::vector<std::string> waiting;
    for (TopicState& state : states) {
      const RdKafka::TopicMetadata* topic = find_topic(metadata, state.name);
      if (!has_leaders(topic)) {
        waiting.push_back(state.name);
        continue;
      }
      if (state.created) {
        bool served = true;
        for (const RdKafka::PartitionMetadata* partition : *topic->partitions()) {
          served = served && admin.serves(state.name, partition->id(), deadline);
        }
        if (!served) {
          waiting.push_back(state.name);
          continue;
        }
      }
      state.partitions = static_cast<int>(topic->partitions()->size());
      state.replication_factor = static_cast<int>(topic->partitions()->front()->replicas()->size());
      state.too_few_partitions = state.partitions < state.wanted_partitions;
    }
    if (waiting.empty()) return states;
    if (Clock::now() >= deadline) {
      std::string names;
      for (const auto& name : waiting) names += (names.empty() ? "" : ", ") + name;
      return common::fail("topics not served by a leader for every partition after " + seconds_text(timeout) + ": " +
                          names);
    }
    admin.pause(std::min(kLeaderPollInterval, std::chrono::milliseconds(remaining_ms(deadline))));
  }
}

}  // namespace invite::kafka
