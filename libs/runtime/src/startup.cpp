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

common::Result<domain::PortalDirectory> load_portals(const std::string& path) {
  const auto text = common::read_file(path);
  if (!text) return common::fail("cannot read portals file " + path + ": " + text.error().message);
  auto parsed = parse_portals_file(*text);
  if (!parsed) return common::fail("bad portals file " + path + ": " + parsed.error().message);
  return std::move(*parsed);
}

common::Result<std::int32_t> wait_for_topic(kafka::Producer& producer, const std::string& topic,
                                            std::chrono::milliseconds wait) {
  using namespace std::chrono_literals;
  const auto give_up = std::chrono::steady_clock::now() + wait;
  while (true) {
    if (const auto partitions = producer.partition_count(topic, 2s)) return *partitions;
    if (std::chrono::steady_clock::now() >= give_up) return common::fail("topic " + topic + " not found");
    common::log_info("waiting for topic", {{"topic", topic}});
    std::this_thread::sleep_for(1s);
  }
}

common::Result<KafkaClients> connect_kafka(const KafkaSettings& kafka, const std::string& group_id,
                                           const std::string& client_id, std::chrono::milliseconds delivery_timeout,
                                           const std::string& topic, std::chrono::milliseconds topic_wait) {
  KafkaClients clients;
  auto producer = kafka::Producer::create(kafka.brokers, kafka.config, delivery_timeout, client_id);
  if (!producer) return common::fail("kafka producer: " + producer.error().message);
  clients.producer = std::move(*producer);
  auto consumer = kafka::Consumer::create(kafka.brokers, group_id, kafka.config, client_id);
  if (!consumer) return common::fail("kafka consumer: " + consumer.error().message);
  clients.consumer = std::move(*consumer);
  auto partitions = wait_for_topic(*clients.producer, topic, topic_wait);
  if (!partitions) return partitions.error();
  clients.partition_count = *partitions;
  return clients;
}

common::Result<> write_port_file(const std::string& path, std::uint16_t port) {
  if (path.empty()) return {};
  if (auto written = common::write_file_atomic(path, std::to_string(port) + "\n", 0644); !written) {
    return common::fail("cannot write port file " + path + ": " + written.error().message);
  }
  return {};
}

}  // namespace invite::runtime
