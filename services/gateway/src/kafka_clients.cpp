#include "kafka_clients.hpp"

#include <string>

namespace invite::gateway {

common::Result<KafkaClients> connect_kafka(const Settings& settings) {
  // librdkafka's own queue bound backs ours up (an explicit --kafka-config still wins): past it a record is
  // refused at once instead of growing the queue.
  kafka::Properties producer_config{{"queue.buffering.max.messages", std::to_string(settings.max_queued_records)}};
  producer_config.insert(producer_config.end(), settings.kafka.config.begin(), settings.kafka.config.end());
  auto producer =
      kafka::Producer::create(settings.kafka.brokers, producer_config, settings.delivery_timeout, "invite-gateway");
  if (!producer) return common::fail("kafka producer: " + producer.error().message);
  auto consumer = kafka::Consumer::create(settings.kafka.brokers, "", settings.kafka.config, "invite-gateway-replies");
  if (!consumer) return common::fail("kafka consumer: " + consumer.error().message);
  return KafkaClients{std::move(*producer), std::move(*consumer)};
}

}  // namespace invite::gateway
