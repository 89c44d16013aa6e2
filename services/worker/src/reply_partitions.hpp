#pragma once
// How many partitions invite.replies.v1 has, read from the cluster when a request names one beyond the last
// count: gateways may grow the topic while the worker runs.
#include <chrono>
#include <cstdint>

#include "invite/kafka/client.hpp"

namespace invite::worker {

class ReplyPartitions {
 public:
  explicit ReplyPartitions(kafka::Producer& producer) : producer_(producer) {}

  // Whether a reply can be published to that partition. True as well when the cluster cannot tell now: the outbox
  // relay retries the reply until it can.
  bool exists(std::int32_t partition);
  std::int32_t known() const { return count_; }  // as last read (0: not read yet)

 private:
  kafka::Producer& producer_;
  std::int32_t count_ = 0;
  std::chrono::steady_clock::time_point read_at_{};
};

}  // namespace invite::worker
