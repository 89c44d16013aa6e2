#pragma once
// Turns a decided request into what the store writes atomically: users, counters, and the outbox rows (the
// reply to the waiting gateway, and per new user an e-mail job and a people.user-invited.v1 event).
// Pure: time, ids and secrets come in as arguments.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "invite/domain/plan.hpp"
#include "invite/domain/portal.hpp"
#include "invite/kafka/client.hpp"
#include "invite/store/partition_store.hpp"
#include "request_assembler.hpp"

namespace invite::worker {

struct CommitContext {
  const domain::Portal* portal = nullptr;
  std::string_view link_secret;
  std::int64_t now_ms = 0;
  std::function<std::string()> new_id;  // event ids
};

// The plan's input for a complete request; `existing`, seat and budget counts are filled by the caller from the store.
domain::PlanInput plan_input(const CompleteRequest& request, const domain::Portal& portal, std::int64_t now_ms);

// next_offset is left 0: the caller sets it, since only the worker loop knows the partition's position.
store::RequestCommit build_commit(const CompleteRequest& request, const domain::Plan& plan, const CommitContext& ctx);

// A record the worker cannot use, bound for invite.requested.v1.dlq with its key, value and headers unchanged
// plus dlq-error and dlq-source.
store::OutboxRow dlq_row(const kafka::InRecord& record, std::string_view error);

}  // namespace invite::worker
