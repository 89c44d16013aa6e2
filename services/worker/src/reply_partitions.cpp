#include "reply_partitions.hpp"

#include <string>

#include "invite/events/events.hpp"

namespace invite::worker {

using namespace std::chrono_literals;

bool ReplyPartitions::exists(std::int32_t partition) {
  if (partition < count_) return true;
  // At most one metadata request a second, so that a stream of bad records cannot turn into a stream of them.
  const auto now = std::chrono::steady_clock::now();
  if (now - read_at_ >= 1s) {
    read_at_ = now;
    const auto count = producer_.partition_count(std::string(events::topics::kReplies), 2s);
    if (!count) return true;
    count_ = *count;
  }
  return partition < count_;
}

}  // namespace invite::worker
