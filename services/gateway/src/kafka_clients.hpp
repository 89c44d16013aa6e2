#pragma once
// The gateway's two Kafka clients: the producer of invite.requested.v1 and the reply partition's consumer.
#include <memory>

#include "invite/common/result.hpp"
#include "invite/kafka/client.hpp"
#include "settings.hpp"

namespace invite::gateway {

struct KafkaClients {
  std::unique_ptr<kafka::Producer> producer;
  // Manually assigned (no group): replies are addressed to this gateway's partition.
  std::unique_ptr<kafka::Consumer> replies;
};

common::Result<KafkaClients> connect_kafka(const Settings& settings);

}  // namespace invite::gateway
