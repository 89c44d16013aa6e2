#pragma once
// The flags every service shares, declared once: Kafka (--kafka-brokers, --kafka-config), --log-level, and the
// listener of its HTTP endpoints (--listen-address, --port, --port-file).
#include <cstdint>
#include <string>

#include "invite/common/log.hpp"
#include "invite/kafka/client.hpp"
#include "invite/runtime/cli.hpp"

namespace invite::runtime {

struct KafkaSettings {
  std::string brokers;
  kafka::Properties config;  // --kafka-config key=value entries, in order
};
void add_kafka_flags(Cli& cli, KafkaSettings& kafka, std::string default_brokers = "localhost:9092",
                     std::string brokers_help = "Kafka bootstrap servers",
                     std::string config_help = "librdkafka property key=value", bool brokers_required = false);

void add_log_level_flag(Cli& cli, common::LogLevel& level, std::string help = "debug, info, warn or error");

struct Listener {
  std::string address;
  std::uint16_t port = 0;  // 0: any free port
  std::string port_file;   // empty: none
};
void add_listener_flags(Cli& cli, Listener& listener, std::string default_address, std::string default_port,
                        std::string address_help, std::string port_help);

}  // namespace invite::runtime
