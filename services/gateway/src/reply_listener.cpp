#include "reply_listener.hpp"

#include <chrono>

#include "invite/common/log.hpp"
#include "invite/events/events.hpp"

namespace invite::gateway {

using namespace std::chrono_literals;

ReplyListener::ReplyListener(kafka::Consumer& consumer, PendingRequests& pending, GatewayMetrics& metrics,
                             std::int32_t partition)
    : consumer_(consumer), pending_(pending), partition_(partition), metrics_(metrics) {}

common::Result<> ReplyListener::start() {
  const std::string topic(events::topics::kReplies);
  const auto marks = consumer_.watermarks(topic, partition_, 10s);
  if (!marks)
    return common::fail("cannot read the end offset of " + topic + " partition " + std::to_string(partition_));
  if (auto assigned = consumer_.assign({{topic, partition_, marks->second}}); !assigned) return assigned;
  assigned_ = true;
  common::log_info("reply partition assigned",
                   {{"topic", topic}, {"partition", std::int64_t{partition_}}, {"offset", marks->second}});
  return {};
}

void ReplyListener::handle(const kafka::InRecord& record) {
  auto decoded = events::decode_reply(record.value);
  if (!decoded) {
    metrics_.bad_replies.inc();
    common::log_warn("undecodable reply", {{"offset", record.offset}, {"error", decoded.error().message}});
    return;
  }
  metrics_.replies.inc();
  auto& reply = *decoded;
  const std::string request_id = reply.request_id;
  if (!pending_.complete(request_id, std::move(reply))) {
    metrics_.late_replies.inc();
    common::log_info("late reply dropped", {{"requestId", request_id}});
  }
}

void ReplyListener::run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    auto polled = consumer_.poll(200ms);
    if (auto* record = std::get_if<kafka::InRecord>(&polled)) {
      handle(*record);
    } else if (auto* error = std::get_if<kafka::PollError>(&polled)) {
      common::log_warn("reply consumer error", {{"error", error->message}, {"fatal", error->fatal}});
      if (error->fatal) assigned_ = false;
    }
  }
}

}  // namespace invite::gateway
