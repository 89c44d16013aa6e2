#pragma once
// The worker's use case for the commands of the invitation's life (docs/lifecycle.md): one command of
// invite.requested.v1 and the partition's store in, what the store writes for it out. It reads what the decision
// needs through store::PeopleStore, decides with the domain's rules (lifecycle.hpp, people_admin.hpp,
// rate_limit.hpp) and builds one atomic commit: the user's new state, the outbox rows (the reply to the waiting
// gateway, the people.user-*.v1 events, a resend's e-mail jobs) and the request id as applied, so that a record
// read again after a crash changes nothing twice. Reads (confirm, list) commit only their reply and the id.
// Time, ids and secrets come in as arguments; writing the commit and its offset is left to the loop.
#include <cstdint>
#include <string_view>

#include "apply_request.hpp"
#include "invite/domain/plan.hpp"
#include "invite/domain/rate_limit.hpp"
#include "invite/events/commands.hpp"
#include "invite/store/people_store.hpp"
#include "invite/store/request_store.hpp"

namespace invite::worker {

struct CommandDecision {
  events::CommandKind kind = events::CommandKind::Confirm;
  domain::Outcome outcome = domain::Outcome::Ok;  // the reply's outcome (confirm: always ok, see `validation`)
  store::RequestCommit commit;                    // next_offset left 0: only the loop knows the partition's position
};

struct CommandOptions {
  std::string_view traceparent;        // of the record, passed on to every row the command causes
  domain::WindowLimit resend_limit{};  // per caller and portal: 10 resend requests per 10 minutes
};

// Reads, decides and builds the commit. The reads see the open group's earlier requests and commands.
CommandDecision decide_command(const events::PeopleCommand& command, store::PeopleStore& people,
                               const CommitContext& ctx, const CommandOptions& options = {});

// Reads (confirm, list) change nothing and have nobody waiting for them after their deadline: the loop skips such
// a record without a reply. The other commands are applied whatever their deadline (a gateway that gave up
// answered 504, "the command may still be applied later").
bool is_read(events::CommandKind kind);
bool skip_as_expired(const events::PeopleCommand& command, std::int64_t now_ms);

}  // namespace invite::worker
