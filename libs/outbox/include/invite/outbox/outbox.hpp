#pragma once
// What a relay needs of a store that keeps an outbox: messages written in the same transaction as the state they
// announce, read back in the order they were written and marked once the broker has them. The worker's partition
// files and the mailer's file both implement it; the relay knows nothing else about either.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "invite/common/message.hpp"

namespace invite::outbox {

// A message as its outbox holds it: the id orders the outbox and names the row when it is marked sent.
struct Row : common::Message {
  std::int64_t id = 0;  // assigned by the store, increasing
};

class Outbox {
 public:
  virtual ~Outbox() = default;

  // Unsent rows with an id above after_id, oldest first. Rows never change once written, so a relay that remembers
  // the last id it took reads each row once instead of re-reading the ones already on their way.
  virtual std::vector<Row> unsent(std::size_t limit, std::int64_t after_id = 0) = 0;
  // Committed without a sync of its own (or inside the store's open write group): a mark lost to a power failure
  // only makes the relay publish the row again, with the same eventId, which consumers are told to expect.
  virtual void mark_sent(const std::vector<std::int64_t>& ids) = 0;
  virtual std::int64_t unsent_count() = 0;
  // True while the store holds writes that are not committed yet: rows read then might never become durable.
  virtual bool in_group() const = 0;
};

}  // namespace invite::outbox
