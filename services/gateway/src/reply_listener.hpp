#pragma once
// Reads this gateway's own partition of invite.replies.v1 and completes the matching pending requests.
// Manual assignment: replies are addressed to a partition, so no consumer group (and no rebalance) is involved.
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "gateway_metrics.hpp"
#include "invite/kafka/client.hpp"
#include "pending_requests.hpp"

namespace invite::gateway {

class ReplyListener {
 public:
  ReplyListener(kafka::Consumer& consumer, PendingRequests& pending, GatewayMetrics& metrics, std::int32_t partition);

  // Assigns the partition at its current end: replies to requests of an earlier run of this gateway are of no use.
  // The end is read as an absolute offset first, so no reply published after start() can be skipped.
  common::Result<> start();
  bool assigned() const { return assigned_.load(); }
  // Polls until stop is set.
  void run(const std::atomic<bool>& stop);
  // Handles one record (public for tests).
  void handle(const kafka::InRecord& record);

 private:
  kafka::Consumer& consumer_;
  PendingRequests& pending_;
  std::int32_t partition_;
  std::atomic<bool> assigned_{false};
  GatewayMetrics& metrics_;
};

}  // namespace invite::gateway
