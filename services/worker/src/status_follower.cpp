#include "status_follower.hpp"

#include <algorithm>
#include <string>

#include "invite/common/text.hpp"

namespace invite::worker {

std::optional<store::DeliveryOutcome> delivery_for(const events::EmailStatus& status, std::string_view portal_host,
                                                   store::PeopleStore& people) {
  const auto found = people.find_people(portal_host, {common::ascii_lower(status.recipient_user_id)});
  if (found.empty()) return std::nullopt;
  store::DeliveryOutcome outcome;
  outcome.user_id = found.front().user.id;
  outcome.status = status.status;
  if (status.status != domain::DeliveryStatus::Sent) outcome.reason = status.reason;
  outcome.at_ms = status.occurred_at_ms;
  outcome.job_event_id = status.job_event_id;
  return outcome;
}

std::optional<std::int64_t> resume_followed(const std::vector<store::PeopleStore*>& files, std::string_view topic,
                                            std::int32_t partition) {
  std::optional<std::int64_t> resume;
  for (store::PeopleStore* file : files) {
    const auto stored = file->followed_offset(topic, partition);
    if (!stored) return std::nullopt;
    resume = resume ? std::min(*resume, *stored) : *stored;
  }
  return resume;
}

}  // namespace invite::worker
