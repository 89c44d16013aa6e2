#pragma once
// A message bound for a topic, as the services write it into an outbox and hand it to a producer. Neither Kafka's
// client nor SQLite appears here, so that stores, relays and the Kafka wrapper share one type instead of three
// copies converted field by field.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace invite::common {

// Header names and values as bytes, in order; a name may repeat.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Message {
  std::string topic;
  std::optional<std::int32_t> partition;  // nullopt: by key (murmur2, Java-compatible)
  std::string key;
  std::string value;
  Headers headers;
};

}  // namespace invite::common
