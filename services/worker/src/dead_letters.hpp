#pragma once
// The worker's dead-letter policy: which records of invite.requested.v1 it cannot use, and what it writes to
// invite.requested.v1.dlq for them instead. Such a record is set aside whole; the partition goes on.
#include <string>
#include <string_view>

#include "invite/common/message.hpp"
#include "invite/domain/portal.hpp"
#include "invite/events/commands.hpp"
#include "invite/events/events.hpp"
#include "invite/kafka/client.hpp"
#include "reply_partitions.hpp"

namespace invite::worker {

// The record's invitation or command, or why it belongs on the DLQ: it does not decode, names no known portal, or
// names a reply partition that does not exist (no gateway can be waiting for that reply, which could never be
// delivered).
common::Result<events::RequestRecord> admit(const kafka::InRecord& record, const domain::PortalDirectory& portals,
                                            ReplyPartitions& reply_partitions);

// The record bound for invite.requested.v1.dlq with its key, value and headers unchanged plus dlq-error and
// dlq-source.
common::Message dlq_message(const kafka::InRecord& record, std::string_view error);

}  // namespace invite::worker
