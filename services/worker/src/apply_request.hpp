#pragma once
// The worker's apply use case: a complete request in, what the store writes for it out. It reads what the
// decision needs (existing users, seats in use, today's invitations) from the partition's store, decides with the
// domain's rules, and turns the plan into one atomic commit: users, counters, and the outbox messages (the reply to
// the waiting gateway, and per new user an e-mail job and a people.user-invited.v1 event). Time, ids and secrets
// come in as arguments; writing the commit and its offset is left to the loop, which owns the group.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "invite/common/message.hpp"
#include "invite/domain/plan.hpp"
#include "invite/domain/portal.hpp"
#include "invite/events/events.hpp"
#include "invite/store/request_store.hpp"
#include "request_assembler.hpp"

namespace invite::worker {

struct CommitContext {
  const domain::Portal* portal = nullptr;  // the request's portal
  std::string_view link_secret;
  std::int64_t now_ms = 0;
  std::function<std::string()> new_id;  // event and user ids
};

struct Decision {
  domain::Outcome outcome = domain::Outcome::Ok;
  std::size_t created = 0;
  std::size_t raised = 0;
  store::RequestCommit commit;  // next_offset left 0: only the loop knows the partition's position
};

// Reads, decides and builds the commit. The reads see the open group's earlier requests.
Decision decide_request(const CompleteRequest& request, store::RequestStore& store, const CommitContext& ctx);

// The plan's input for a complete request, before the store's reads fill `existing` and the counts.
domain::PlanInput plan_input(const CompleteRequest& request, const domain::Portal& portal, std::int64_t now_ms);

// Fills the plan's input from the store: only the counts the portal's limits and the request's types need.
void read_store(domain::PlanInput& input, store::RequestStore& store);

// The commit of a decided plan, which it takes by value: the plan's users move into the commit and the reply.
store::RequestCommit build_commit(const CompleteRequest& request, domain::Plan plan, const CommitContext& ctx);

// What invite requests and commands (apply_command.hpp) both write.

// The headers of every record a request or command causes: correlation-id (the request id), and traceparent when
// the request carried a (well-formed) one.
common::Headers event_headers(std::string_view request_id, std::string_view traceparent);

// The reply row: invite.replies.v1, key = request id, to the partition of the asking gateway.
common::Message reply_message(const events::InviteReply& reply, int reply_partition, common::Headers headers);

// The invite.emails.v1 job of a user's newest link, signed now (ctx.now_ms is the link's ms): the first send of an
// invitation, or a resend (`resend`: the user's older links no longer work). Its event id comes from ctx.new_id.
struct JobFor {
  std::string_view request_id;
  std::string_view portal;  // as the record named it: the job's portal and key
  const domain::User* user = nullptr;
  std::string_view inviter_id;  // signed into the link as uid
  bool resend = false;
};
events::EmailJob email_job(const JobFor& job, const CommitContext& ctx);
// The job's row: key = portal, so that the mailer keeps a portal's jobs in order.
common::Message email_job_message(const events::EmailJob& job, common::Headers headers);

}  // namespace invite::worker
