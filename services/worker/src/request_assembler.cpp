#include "request_assembler.hpp"

namespace invite::worker {

void RequestAssembler::erase(PartitionState& state, const std::string& request_id, std::int64_t first_offset) {
  auto [begin, end] = state.by_first_offset.equal_range(first_offset);
  for (auto it = begin; it != end; ++it) {
    if (it->second == request_id) {
      state.by_first_offset.erase(it);
      break;
    }
  }
  state.requests.erase(request_id);
}

AddResult RequestAssembler::add(std::int32_t partition, std::int64_t offset, events::RequestedInvitation record,
                                const std::string& traceparent) {
  auto& state = partitions_[partition];
  auto [it, inserted] = state.requests.try_emplace(record.request_id);
  Collecting& collecting = it->second;
  if (inserted) {
    collecting.count = record.count;
    collecting.first_offset = offset;
    collecting.deadline_ms = record.deadline_ms;
    collecting.traceparent = traceparent;
    state.by_first_offset.emplace(offset, record.request_id);
  } else if (record.count != collecting.count) {
    return {std::nullopt, "count " + std::to_string(record.count) + " differs from the request's " +
                              std::to_string(collecting.count)};
  }
  const int index = record.index;
  if (!collecting.records.try_emplace(index, std::move(record)).second) {
    return {std::nullopt, "duplicate index " + std::to_string(index)};
  }
  if (static_cast<int>(collecting.records.size()) < collecting.count) return {};

  CompleteRequest complete;
  complete.first_offset = collecting.first_offset;
  complete.traceparent = std::move(collecting.traceparent);
  complete.records.reserve(collecting.records.size());
  for (auto& [i, r] : collecting.records) complete.records.push_back(std::move(r));
  erase(state, complete.records.front().request_id, complete.first_offset);
  return {std::move(complete), std::nullopt};
}

std::optional<std::int64_t> RequestAssembler::hold(std::int32_t partition) const {
  auto it = partitions_.find(partition);
  if (it == partitions_.end() || it->second.by_first_offset.empty()) return std::nullopt;
  return it->second.by_first_offset.begin()->first;
}

std::vector<DroppedRequest> RequestAssembler::drop_expired(std::int32_t partition, std::int64_t now_ms) {
  std::vector<DroppedRequest> dropped;
  auto pit = partitions_.find(partition);
  if (pit == partitions_.end()) return dropped;
  auto& state = pit->second;
  std::vector<std::pair<std::string, std::int64_t>> expired;
  for (const auto& [request_id, c] : state.requests) {
    if (c.deadline_ms >= now_ms) continue;
    DroppedRequest d;
    d.request_id = request_id;
    d.received = static_cast<int>(c.records.size());
    d.count = c.count;
    if (!c.records.empty()) d.portal = c.records.begin()->second.portal;
    dropped.push_back(std::move(d));
    expired.emplace_back(request_id, c.first_offset);
  }
  for (const auto& [request_id, first_offset] : expired) erase(state, request_id, first_offset);
  return dropped;
}

std::size_t RequestAssembler::incomplete() const {
  std::size_t n = 0;
  for (const auto& [partition, state] : partitions_) n += state.requests.size();
  return n;
}

}  // namespace invite::worker
