#pragma once
// What the worker's hourly housekeeping may do to a partition file.
#include <cstdint>

namespace invite::store {

class Maintenance {
 public:
  virtual ~Maintenance() = default;

  // Deletes what only matters for a while: sent outbox rows, applied request ids, day counters and resend windows
  // older than cutoff_ms (a window far shorter than the retention has long ended). Request ids are needed only while
  // records of their request can be read again (a few deadlines after they were applied); keeping days of them is
  // ample. Never inside a group. Returns the number of rows deleted.
  virtual std::int64_t prune(std::int64_t cutoff_ms) = 0;
};

}  // namespace invite::store
