#pragma once
// Collects the records of each request on a partition until all `count` of them have arrived. Records of
// different requests interleave; the assembler also says how far the partition's stored offset may advance
// without losing records of a request still being collected. Pure: no I/O, no clock (time is passed in).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "invite/events/events.hpp"

namespace invite::worker {

struct CompleteRequest {
  std::vector<events::RequestedInvitation> records;  // ordered by index, records[i].index == i
  std::int64_t first_offset = 0;
  std::string traceparent;  // of the first record, passed on to what the request produces
};

struct AddResult {
  std::optional<CompleteRequest> complete;  // set when this record completed its request
  std::optional<std::string> ignored;       // why the record was ignored (duplicate index, inconsistent count)
};

struct DroppedRequest {
  std::string request_id;
  std::string portal;
  int received = 0;
  int count = 0;
};

class RequestAssembler {
 public:
  AddResult add(std::int32_t partition, std::int64_t offset, events::RequestedInvitation record,
                const std::string& traceparent);
  // Smallest first offset of the partition's incomplete requests.
  std::optional<std::int64_t> hold(std::int32_t partition) const;
  // Removes and returns the partition's incomplete requests whose deadline is before now_ms.
  std::vector<DroppedRequest> drop_expired(std::int32_t partition, std::int64_t now_ms);
  std::size_t incomplete() const;

 private:
  struct Collecting {
    int count = 0;
    // By index. Sparse rather than `count` slots: a corrupt record's count (up to INT_MAX) must not allocate.
    std::map<int, events::RequestedInvitation> records;
    std::int64_t first_offset = 0;
    std::int64_t deadline_ms = 0;
    std::string traceparent;
  };
  struct PartitionState {
    std::unordered_map<std::string, Collecting> requests;
    std::multimap<std::int64_t, std::string> by_first_offset;  // to find the hold in O(log n)
  };
  void erase(PartitionState& state, const std::string& request_id, std::int64_t first_offset);
  std::unordered_map<std::int32_t, PartitionState> partitions_;
};

}  // namespace invite::worker
