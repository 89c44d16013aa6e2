#include "pending_requests.hpp"

namespace invite::gateway {

bool PendingRequests::add(const std::string& request_id, std::function<void(Completion)> on_complete) {
  std::lock_guard lock(mu_);
  if (entries_.size() >= capacity_) return false;
  return entries_.emplace(request_id, std::move(on_complete)).second;
}

bool PendingRequests::complete(const std::string& request_id, Completion completion) {
  std::function<void(Completion)> callback;
  {
    std::lock_guard lock(mu_);
    auto it = entries_.find(request_id);
    if (it == entries_.end()) return false;
    callback = std::move(it->second);
    entries_.erase(it);
  }
  callback(std::move(completion));
  return true;
}

std::size_t PendingRequests::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace invite::gateway
