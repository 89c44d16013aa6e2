#pragma once
// Shared by the adapters of this library only (not installed, not part of the public interface).
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "invite/kafka/client.hpp"

namespace invite::kafka::detail {

// Routes librdkafka's own log lines and error events into our JSON-line log, so a service's stderr stays one JSON
// object per line. Also remembers a fatal error (the idempotent producer can raise one) for health checks.
class EventLogger : public RdKafka::EventCb {
 public:
  explicit EventLogger(std::string client_id) : client_id_(std::move(client_id)) {}
  void event_cb(RdKafka::Event& event) override;
  bool fatal() const { return fatal_.load(); }

 private:
  std::string client_id_;
  std::atomic<bool> fatal_{false};
};

// A global configuration: our defaults, then the caller's properties (which may override them), then the ones the
// design requires whatever the caller says; librdkafka's events go to `events`. An error names the offending key,
// so that a typo in --kafka-config is easy to find.
common::Result<std::unique_ptr<RdKafka::Conf>> make_conf(const Properties& defaults, const Properties& extra,
                                                         const Properties& required, EventLogger& events);

// Partition count from a metadata request for one topic; nullopt when the topic is unknown or on timeout.
std::optional<std::int32_t> partition_count(RdKafka::Handle& handle, const std::string& topic,
                                            std::chrono::milliseconds timeout);

}  // namespace invite::kafka::detail
