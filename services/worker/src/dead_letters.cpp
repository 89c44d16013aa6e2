#include "dead_letters.hpp"

namespace invite::worker {

std::variant<events::RequestedInvitation, std::string> admit(const kafka::InRecord& record,
                                                             const domain::PortalDirectory& portals,
                                                             ReplyPartitions& reply_partitions) {
  auto decoded = events::decode_requested(record.value);
  if (!decoded) return std::move(decoded.error().message);
  auto& event = *decoded;
  if (portals.find_by_host_header(event.portal) == nullptr) return "unknown portal: " + event.portal;
  if (!reply_partitions.exists(event.reply_partition)) {
    return "replyPartition: " + std::to_string(event.reply_partition) + " is not a partition of " +
           std::string(events::topics::kReplies) + " (" + std::to_string(reply_partitions.known()) + " partitions)";
  }
  return std::move(event);
}

common::Message dlq_message(const kafka::InRecord& record, std::string_view error) {
  common::Message message;
  message.topic = std::string(events::topics::kRequestedDlq);
  message.key = record.key;
  message.value = record.value;
  message.headers = record.headers;
  message.headers.emplace_back(events::headers::kDlqError, std::string(error));
  message.headers.emplace_back(events::headers::kDlqSource, record.topic + "/" + std::to_string(record.partition) +
                                                                "/" + std::to_string(record.offset));
  return message;
}

}  // namespace invite::worker
