#pragma once
// Publishes the mailer's status events (rows of its store's outbox) with the idempotent producer and marks
// them sent once Kafka has acknowledged them. Store access stays on the mailer's thread: delivery reports
// only queue results, which drain() applies. A failed delivery is published again by a later pump(); a
// consumer drops the rare duplicate (published, crash before marking) by its stable eventId.
#include <cstdint>
#include <mutex>
#include <set>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/kafka/client.hpp"
#include "invite/store/mailer_store.hpp"

namespace invite::mailer {

class StatusRelay {
 public:
  StatusRelay(kafka::Producer& producer, store::MailerStore& store, common::Registry& metrics);

  // Hands the unpublished rows that are not already on their way to the producer.
  void pump();
  // Marks acknowledged rows sent; failed ones are read again by the next pump.
  void drain();
  std::size_t in_flight() const { return sending_.size(); }

 private:
  struct Result {
    std::int64_t row_id;
    bool ok;
  };
  kafka::Producer& producer_;
  store::MailerStore& store_;
  common::Counter& published_;
  common::Counter& failed_;
  std::mutex mu_;
  std::vector<Result> results_;      // guarded by mu_
  std::set<std::int64_t> sending_;   // mailer thread only
  std::int64_t taken_up_to_ = 0;     // mailer thread only: rows up to this id were handed over
};

}  // namespace invite::mailer
