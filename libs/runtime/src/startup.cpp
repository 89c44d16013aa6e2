#include "invite/runtime/startup.hpp"

#include <iostream>
#include <thread>

#include "invite/common/files.hpp"
#include "invite/common/log.hpp"
#include "invite/common/signals.hpp"
#include "invite/runtime/portals_file.hpp"

namespace invite::runtime {

std::optional<int> parse_command_line(common::Flags& flags, int argc, char** argv, const std::string& service) {
  if (auto error = flags.parse(argc, argv)) return usage_error(flags, *error);
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  const auto level = common::parse_log_level(flags.get("log-level"));
  if (!level) return usage_error(flags, "--log-level must be debug, info, warn or error");
  common::log_init(service, *level);
  return std::nullopt;
}

int usage_error(const common::Flags& flags, const std::string& message) {
  std::cerr << message << "\n\n" << flags.usage();
  return 2;
}

int fail(const std::string& message) {
  common::log_error(message);
  return 2;
}

std::variant<domain::PortalDirectory, std::string> load_portals(const std::string& path) {
  std::string error;
  const auto text = common::read_file(path, &error);
  if (!text) return "cannot read portals file " + path + ": " + error;
  auto parsed = parse_portals_file(*text);
  if (auto* message = std::get_if<std::string>(&parsed)) return "bad portals file " + path + ": " + *message;
  return std::get<domain::PortalDirectory>(std::move(parsed));
}

std::variant<kafka::Properties, std::string> kafka_properties(const common::Flags& flags) {
  kafka::Properties properties;
  for (const auto& entry : flags.get_all("kafka-config")) {
    auto kv = common::parse_key_value(entry);
    if (!kv) return "--kafka-config expects key=value, got: " + entry;
    properties.push_back(std::move(*kv));
  }
  return properties;
}

std::variant<std::int32_t, std::string> wait_for_topic(kafka::Producer& producer, const std::string& topic,
                                                       std::chrono::milliseconds wait) {
  using namespace std::chrono_literals;
  const auto give_up = std::chrono::steady_clock::now() + wait;
  while (true) {
    if (const auto partitions = producer.partition_count(topic, 2s)) return *partitions;
    if (std::chrono::steady_clock::now() >= give_up) return "topic " + topic + " not found";
    common::log_info("waiting for topic", {{"topic", topic}});
    std::this_thread::sleep_for(1s);
  }
}

std::variant<KafkaClients, std::string> connect_kafka(const common::Flags& flags, const kafka::Properties& properties,
                                                      const std::string& client_id,
                                                      std::chrono::milliseconds delivery_timeout,
                                                      const std::string& topic, std::chrono::milliseconds topic_wait) {
  const std::string brokers = flags.get("kafka-brokers");
  KafkaClients clients;
  auto producer = kafka::Producer::create(brokers, properties, delivery_timeout, client_id);
  if (auto* message = std::get_if<std::string>(&producer)) return "kafka producer: " + *message;
  clients.producer = std::move(std::get<std::unique_ptr<kafka::Producer>>(producer));
  auto consumer = kafka::Consumer::create(brokers, flags.get("group-id"), properties, client_id);
  if (auto* message = std::get_if<std::string>(&consumer)) return "kafka consumer: " + *message;
  clients.consumer = std::move(std::get<std::unique_ptr<kafka::Consumer>>(consumer));
  auto partitions = wait_for_topic(*clients.producer, topic, topic_wait);
  if (auto* message = std::get_if<std::string>(&partitions)) return *message;
  clients.partition_count = std::get<std::int32_t>(partitions);
  return clients;
}

int run_until_signal(const std::function<std::optional<std::string>(const std::atomic<bool>& stop)>& loop) {
  std::atomic<bool> stopping{false};
  std::thread signal_thread = common::on_termination_signal([&stopping](int signo) {
    common::log_info("stopping", {{"signal", std::int64_t{signo}}});
    stopping = true;
  });
  const auto error = loop(stopping);
  if (error) {
    common::log_error(*error);
    common::request_termination();  // wakes the signal thread so it can be joined
  }
  signal_thread.join();
  return error ? 1 : 0;
}

std::optional<std::string> write_port_file(const std::string& path, std::uint16_t port) {
  if (path.empty()) return std::nullopt;
  std::string error;
  if (!common::write_file_atomic(path, std::to_string(port) + "\n", 0644, &error)) {
    return "cannot write port file " + path + ": " + error;
  }
  return std::nullopt;
}

}  // namespace invite::runtime
