#include "dead_letters.hpp"

namespace invite::worker {

common::Result<events::RequestedInvitation> admit(const kafka::InRecord& record, const domain::PortalDirectory& portals,
                                                  ReplyPartitions& reply_partitions) {
  auto decoded = events::decode_requested(record.value);
  if (!decoded) return decoded;
  const auto& event = *decoded;
  if (portals.find_by_host_header(event.portal) == nullptr) return common::fail("unknown portal: " + event.portal);
  if (!reply_partitions.exists(event.reply_partition)) {
    return common::fail("replyPartition: " + std::to_string(event.reply_partition) + " is not a partition of " +
                        std::string(events::topics::kReplies) + " (" + std::to_string(reply_partitions.known()) +
                        " partitions)");
  }
  return decoded;
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
