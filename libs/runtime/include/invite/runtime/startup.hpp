#pragma once
// Start-up steps every service's main shares: command line and logs, the portals file, Kafka properties, the
// port file. Each returns an error as a value; main reports it with fail() and exits.
#include <chrono>
#include <cstdint>
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

// Writes "<port>\n" when path is non-empty; an error message otherwise.
std::optional<std::string> write_port_file(const std::string& path, std::uint16_t port);

}  // namespace invite::runtime
