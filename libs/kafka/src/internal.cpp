#include "internal.hpp"
#include "invite/common/log.hpp"
#include "invite/kafka/client.hpp"

namespace invite::kafka {

std::optional<std::string> header(const Headers& headers, std::string_view key) {
  for (const auto& [k, v] : headers) {
    if (k == key) return v;
  }
  return std::nullopt;
}

namespace detail {

void EventLogger::event_cb(RdKafka::Event& event) {
  using common::LogLevel;
  switch (event.type()) {
    case RdKafka::Event::EVENT_LOG: {
      // syslog severities: 0..3 error, 4 warning, 5..6 notice/info, 7 debug.
      const int severity = static_cast<int>(event.severity());
      LogLevel level = severity <= 3   ? LogLevel::Error
                       : severity == 4 ? LogLevel::Warn
                       : severity <= 6 ? LogLevel::Info
                                       : LogLevel::Debug;
      // One --kafka-config list configures a service's producer and consumer alike, so librdkafka's note that a
      // consumer property is ignored by the producer (and vice versa) is expected, not a warning.
      if (event.fac() == "CONFWARN" && event.str().find("property and will be ignored by this") != std::string::npos) {
        level = LogLevel::Debug;
      }
      common::log(level, "librdkafka", {{"client", client_id_}, {"facility", event.fac()}, {"detail", event.str()}});
      break;
    }
    case RdKafka::Event::EVENT_ERROR:
      if (event.fatal()) fatal_ = true;
      common::log(event.fatal() ? LogLevel::Error : LogLevel::Warn, "kafka error",
                  {{"client", client_id_},
                   {"error", RdKafka::err2str(event.err())},
                   {"detail", event.str()},
                   {"fatal", event.fatal()}});
      break;
    default:
      break;  // stats and throttle events are not configured by us
  }
}

common::Result<std::unique_ptr<RdKafka::Conf>> make_conf(const Properties& defaults, const Properties& extra,
                                                         const Properties& required, EventLogger& events) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string error;
  for (const Properties* properties : {&defaults, &extra, &required}) {
    for (const auto& [key, value] : *properties) {
      if (conf->set(key, value, error) != RdKafka::Conf::CONF_OK)
        return common::fail("kafka property " + key + ": " + error);
    }
  }
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(&events), error) != RdKafka::Conf::CONF_OK) {
    return common::fail("kafka event callback: " + error);
  }
  return conf;
}

std::optional<std::int32_t> partition_count(RdKafka::Handle& handle, const std::string& topic,
                                            std::chrono::milliseconds timeout) {
  std::string error;
  std::unique_ptr<RdKafka::Topic> rkt(RdKafka::Topic::create(&handle, topic, nullptr, error));
  if (!rkt) return std::nullopt;
  RdKafka::Metadata* raw = nullptr;
  if (handle.metadata(false, rkt.get(), &raw, static_cast<int>(timeout.count())) != RdKafka::ERR_NO_ERROR) {
    return std::nullopt;
  }
  std::unique_ptr<RdKafka::Metadata> metadata(raw);
  for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
    if (t->topic() != topic) continue;
    if (t->err() != RdKafka::ERR_NO_ERROR || t->partitions()->empty()) return std::nullopt;
    return static_cast<std::int32_t>(t->partitions()->size());
  }
  return std::nullopt;
}

}  // namespace detail
}  // namespace invite::kafka
