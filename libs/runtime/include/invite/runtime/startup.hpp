#pragma once
// Start-up steps every service's main shares: the portals file, Kafka clients, the port file. Each returns an error
// as a value; main reports it with fail() and exits. The command line is each service's settings (cli.hpp).
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "invite/common/result.hpp"
#include "invite/domain/portal.hpp"
#include "invite/kafka/client.hpp"
#include "invite/runtime/shared_flags.hpp"

namespace invite::runtime {

// Logs a start-up failure; returns 2 for main to exit with.
int fail(const std::string& message);

common::Result<domain::PortalDirectory> load_portals(const std::string& path);

// The partition count of `topic`, waiting up to `wait` for it to exist (an operator or Strimzi may create it
// after the service starts), with a log line every second; an error when it does not appear in time.
common::Result<std::int32_t> wait_for_topic(kafka::Producer& producer, const std::string& topic,
                                            std::chrono::milliseconds wait);

// What a service that consumes its own partitions of a topic and produces its results starts with.
struct KafkaClients {
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<kafka::Consumer> consumer;  // in consumer group group_id
  std::int32_t partition_count = 0;           // of the topic it consumes
};
// Producer and consumer for --kafka-brokers with --kafka-config, once `topic` exists (wait_for_topic).
common::Result<KafkaClients> connect_kafka(const KafkaSettings& kafka, const std::string& group_id,
                                           const std::string& client_id, std::chrono::milliseconds delivery_timeout,
                                           const std::string& topic, std::chrono::milliseconds topic_wait);

// Writes "<port>\n" when path is non-empty (nothing to do otherwise); an error when the file cannot be written.
common::Result<> write_port_file(const std::string& path, std::uint16_t port);

}  // namespace invite::runtime
