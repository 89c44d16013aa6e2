#pragma once
// Publishes an outbox's rows with the idempotent producer and marks them sent once the broker has acknowledged
// them. Store access stays on the owning service's thread: delivery reports (on the producer's thread) only queue
// results, which drain() applies. A row whose delivery failed is read and published again by a later pump();
// consumers drop the rare duplicate (published, crash before the mark) by the event's stable eventId.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/kafka/client.hpp"
#include "invite/outbox/outbox.hpp"

namespace invite::outbox {

struct RelaySettings {
  std::size_t batch = 1000;              // rows read from the store per pump
  std::string what = "outbox message";   // how the logs name a row ("<what> delivery failed")
  common::Counter* published = nullptr;  // rows acknowledged
  common::Counter* failed = nullptr;     // deliveries that failed and will be retried
};

class Relay {
 public:
  Relay(kafka::Producer& producer, Outbox& outbox, RelaySettings settings);
  Relay(const Relay&) = delete;  // delivery callbacks hold its address
  Relay& operator=(const Relay&) = delete;

  // Publishes the unsent rows that are not already on their way.
  void pump();
  // Publishes rows just committed (with the ids the store gave them) without reading them back, when they are
  // exactly the rows a pump would read next; otherwise pumps.
  void publish_committed(std::vector<Row> rows);
  // Marks acknowledged rows sent (inside the store's open group, if any), and pumps again once a batch that left
  // rows behind is acknowledged. True when a delivery failed: the caller pumps again after a pause.
  bool drain();
  std::size_t in_flight() const { return sending_.size(); }

 private:
  struct Result {
    std::int64_t row_id;
    bool ok;
  };
  void send(Row row);

  kafka::Producer& producer_;
  Outbox& outbox_;
  RelaySettings settings_;
  std::mutex mu_;
  std::vector<Result> results_;     // guarded by mu_
  std::set<std::int64_t> sending_;  // owner's thread only
  // Owner's thread only: the last pump left rows behind. Nothing else makes the owner pump an idle outbox again,
  // so drain() has to remember that rows remain.
  bool truncated_ = false;
  // Owner's thread only: the highest row id handed to the producer; rows above it are new. A failed delivery moves
  // it back below the failed row, so the next pump reads that row again.
  std::int64_t taken_up_to_ = 0;
};

}  // namespace invite::outbox
