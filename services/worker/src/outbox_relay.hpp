#pragma once
// Publishes outbox rows with the idempotent producer and marks them sent once the broker has acknowledged them.
// Store access stays on the worker's thread: delivery reports (on the producer's thread) only queue results,
// which drain() applies. A row whose delivery failed is retried after a pause; consumers drop the rare
// duplicate (publish succeeded, crash before mark) by the event's stable eventId.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/kafka/client.hpp"
#include "invite/store/partition_store.hpp"

namespace invite::worker {

class OutboxRelay {
 public:
  OutboxRelay(kafka::Producer& producer, common::Registry& metrics);

  // Publishes the store's unsent rows that are not already on their way.
  void pump(std::int32_t partition, store::PartitionStore& store);
  // Publishes rows just committed (with the ids the store gave them) without reading them back, when they are
  // exactly the rows a pump would read next; otherwise pumps.
  void publish_committed(std::int32_t partition, std::vector<store::OutboxRow> rows, store::PartitionStore& store);
  // Marks acknowledged rows sent (inside a store's open group, if any), and pumps a partition again once a batch
  // that left rows behind is acknowledged; returns the partitions that had a failed delivery (to pump again later).
  std::set<std::int32_t> drain(const std::map<std::int32_t, store::PartitionStore*>& stores);
  std::size_t in_flight() const;

 private:
  struct Result {
    std::int32_t partition;
    std::int64_t row_id;
    bool ok;
  };
  void send(std::int32_t partition, store::OutboxRow row);

  kafka::Producer& producer_;
  common::Counter& published_;
  common::Counter& failed_;
  mutable std::mutex mu_;
  std::vector<Result> results_;                            // guarded by mu_
  std::map<std::int32_t, std::set<std::int64_t>> sending_;  // worker thread only
  std::set<std::int32_t> truncated_;                        // worker thread only: last pump left rows behind
  // Worker thread only: the highest row id handed to the producer per partition; rows above it are new. A failed
  // delivery moves it back below the failed row, so the next pump reads that row again.
  std::map<std::int32_t, std::int64_t> taken_up_to_;
};

}  // namespace invite::worker
