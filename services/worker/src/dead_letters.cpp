#include "dead_letters.hpp"

#include <utility>
#include <variant>

namespace invite::worker {

common::Result<events::RequestRecord> admit(const kafka::InRecord& record, const domain::PortalDirectory& portals,
                                            ReplyPartitions& reply_partitions) {
  auto decoded = events::decode_request_record(record.value);
  if (!decoded) return decoded;
  // An invitation and a command name their portal and reply partition alike.
  const auto [portal, reply_partition] = std::visit(
      [](const auto& event) { return std::pair<std::string, int>(event.portal, event.reply_partition); }, *decoded);
  if (portals.find_by_host_header(portal) == nullptr) return common::fail("unknown portal: " + portal);
  if (!reply_partitions.exists(reply_partition)) {
    return common::fail("replyPartition: " + std::to_string(reply_partition) + " is not a partition of " +
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
