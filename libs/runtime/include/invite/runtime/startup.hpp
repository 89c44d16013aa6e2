#pragma once
// Start-up steps every service's main shares: command line and logs, the portals file, Kafka properties, the
// port file. Each returns an error as a value; main reports it with fail() and exits.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "invite/common/flags.hpp"
#include "invite/domain/portal.hpp"
#include "invite/kafka/client.hpp"

namespace invite::runtime {

// Parses argv (and the environment twins). On --help prints usage to stdout and returns 0; on a bad command line
// prints the problem and usage to stderr and returns 2; otherwise starts the JSON logs of `service` at
// --log-level and returns nullopt (go on).
std::optional<int> parse_command_line(common::Flags& flags, int argc, char** argv, const std::string& service);

// A missing required flag or malformed value: the message and usage on stderr; returns 2 for main to exit with.
int usage_error(const common::Flags& flags, const std::string& message);

// Logs a start-up failure; returns 2 for main to exit with.
int fail(const std::string& message);

std::variant<domain::PortalDirectory, std::string> load_portals(const std::string& path);

// The --kafka-config key=value entries as librdkafka properties.
std::variant<kafka::Properties, std::string> kafka_properties(const common::Flags& flags);

// The partition count of `topic`, waiting up to `wait` for it to exist (an operator or Strimzi may create it
// after the service starts), with a log line every second; an error when it does not appear in time.
std::variant<std::int32_t, std::string> wait_for_topic(kafka::Producer& producer, const std::string& topic,
                                                       std::chrono::milliseconds wait);

// What a service that consumes its own partitions of a topic and produces its results starts with.
struct KafkaClients {
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<kafka::Consumer> consumer;  // in consumer group --group-id
  std::int32_t partition_count = 0;           // of the topic it consumes
};
// Producer and consumer for --kafka-brokers with `properties`, once `topic` exists (wait_for_topic).
std::variant<KafkaClients, std::string> connect_kafka(const common::Flags& flags, const kafka::Properties& properties,
                                                      const std::string& client_id,
                                                      std::chrono::milliseconds delivery_timeout,
                                                      const std::string& topic, std::chrono::milliseconds topic_wait);

// Runs a service's loop until SIGINT or SIGTERM sets the flag it watches (common::block_termination_signals must
// have run first). A loop that returns an error is logged. Returns main's exit code: 0, or 1 after an error.
int run_until_signal(const std::function<std::optional<std::string>(const std::atomic<bool>& stop)>& loop);

// Writes "<port>\n" when path is non-empty; an error message otherwise.
std::optional<std::string> write_port_file(const std::string& path, std::uint16_t port);

}  // namespace invite::runtime
