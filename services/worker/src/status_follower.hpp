#pragma once
// The worker follows invite.email-status.v1 (the mailer's reports) to keep each pending invitation's last
// delivery outcome in the partition file that holds its user. The mailer keys statuses by portal, but its topic's
// partition count need not be invite.requested.v1's, so every worker reads every partition of it and keeps what
// concerns users of its own files. These are the pure parts; the loop (worker.cpp) reads the records and writes.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "invite/events/events.hpp"
#include "invite/store/people_store.hpp"
#include "invite/store/request_store.hpp"

namespace invite::worker {

// What one status means for one file: the delivery outcome of the user it names, when the file holds that user of
// that portal (portal_host as the users are stored). Its time is the status's occurredAt, which the store's
// ordering rule compares; its job is the status's jobEventId, which the store matches with the newest link's.
std::optional<store::DeliveryOutcome> delivery_for(const events::EmailStatus& status, std::string_view portal_host,
                                                   store::PeopleStore& people);

// Where to resume one partition of a followed topic over all of the worker's files: the smallest offset any file
// stored (every file stores the position, so whichever file a status went to, none is skipped; re-applying one is
// harmless by the store's ordering rule). nullopt when a file never stored one: then from the topic's start.
std::optional<std::int64_t> resume_followed(const std::vector<store::PeopleStore*>& files, std::string_view topic,
                                            std::int32_t partition);

}  // namespace invite::worker
