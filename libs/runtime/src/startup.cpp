#include "invite/runtime/startup.hpp"

#include <thread>

#include "invite/common/files.hpp"
#include "invite/common/log.hpp"
#include "invite/runtime/portals_file.hpp"

namespace invite::runtime {

int fail(const std::string& message) {
  common::log_error(message);
  return 2;
}

std::variant<domain::PortalDirectory, std::string> load_portals(const std::string& path) {
  const auto text = common::read_file(path);
  if (!text) return "cannot read portals file " + path + ": " + text.error().message;
  auto parsed = parse_portals_file(*text);
  if (auto* message = std::get_if<std::string>(&parsed)) return "bad portals file " + path + ": " + *message;
  return std::get<domain::PortalDirectory>(std::move(parsed));
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

std::variant<KafkaClients, std::string> connect_kafka(const KafkaSettings& kafka, const std::string& group_id,
                                                      const std::string& client_id,
                                                      std::chrono::milliseconds delivery_timeout,
                                                      const std::string& topic, std::chrono::milliseconds topic_wait) {
  KafkaClients clients;
  auto producer = kafka::Producer::create(kafka.brokers, kafka.config, delivery_timeout, client_id);
  if (!producer) return "kafka producer: " + producer.error().message;
  clients.producer = std::move(*producer);
  auto consumer = kafka::Consumer::create(kafka.brokers, group_id, kafka.config, client_id);
  if (!consumer) return "kafka consumer: " + consumer.error().message;
  clients.consumer = std::move(*consumer);
  auto partitions = wait_for_topic(*clients.producer, topic, topic_wait);
  if (auto* message = std::get_if<std::string>(&partitions)) return *message;
  clients.partition_count = std::get<std::int32_t>(partitions);
  return clients;
}

std::optional<std::string> write_port_file(const std::string& path, std::uint16_t port) {
  if (path.empty()) return std::nullopt;
  if (auto written = common::write_file_atomic(path, std::to_string(port) + "\n", 0644); !written) {
    return "cannot write port file " + path + ": " + written.error().message;
  }
  return std::nullopt;
}

}  // namespace invite::runtime
