#pragma once
// Requests published to Kafka and waiting for their worker reply. Bounded, so that a stalled worker turns into
// fast 503s rather than unbounded memory; every entry has a deadline after which it answers 504.
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>

#include "invite/events/events.hpp"

namespace invite::gateway {

struct TimedOut {};
struct PublishFailed {
  std::string error;
  bool queue_full = false;
};
using Completion = std::variant<events::InviteReply, TimedOut, PublishFailed>;

class PendingRequests {
 public:
  explicit PendingRequests(std::size_t capacity) : capacity_(capacity) {}

  // False when the map is full: the caller answers 503 without publishing.
  bool add(const std::string& request_id, std::function<void(Completion)> on_complete);
  // Each of these completes the entry once; later calls for the same id find nothing and return false
  // (a reply after the deadline, a timeout after the reply, ...). Callbacks run outside the lock.
  bool complete(const std::string& request_id, Completion completion);

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }

 private:
  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::unordered_map<std::string, std::function<void(Completion)>> entries_;
};

}  // namespace invite::gateway
