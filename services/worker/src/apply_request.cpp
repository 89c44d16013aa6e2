#include "apply_request.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

#include "invite/common/ids.hpp"
#include "invite/domain/invite_link.hpp"
#include "invite/domain/validation.hpp"

namespace invite::worker {

common::Headers event_headers(std::string_view request_id, std::string_view traceparent) {
  common::Headers headers;
  headers.emplace_back(events::headers::kCorrelationId, std::string(request_id));
  if (!traceparent.empty()) headers.emplace_back(events::headers::kTraceparent, std::string(traceparent));
  return headers;
}

common::Message reply_message(const events::InviteReply& reply, int reply_partition, common::Headers headers) {
  common::Message row;
  row.topic = std::string(events::topics::kReplies);
  row.partition = reply_partition;
  row.key = reply.request_id;
  row.value = events::encode_reply(reply);
  row.headers = std::move(headers);
  return row;
}

events::EmailJob email_job(const JobFor& job, const CommitContext& ctx) {
  assert(ctx.portal != nullptr && job.user != nullptr);
  const domain::User& user = *job.user;
  events::EmailJob out;
  out.event_id = ctx.new_id();
  out.occurred_at_ms = ctx.now_ms;
  out.request_id = std::string(job.request_id);
  out.portal = std::string(job.portal);
  out.portal_name = ctx.portal->display_name;
  out.recipient_email = user.email;
  out.recipient_user_id = user.id;
  out.culture = user.culture;
  out.inviter_id = std::string(job.inviter_id);
  out.confirmation_link = domain::invite_link(
      *ctx.portal, {user.email, user.type, job.inviter_id, user.culture, ctx.now_ms}, ctx.link_secret);
  out.expires_at_ms = ctx.now_ms + domain::kInviteLinkValidity.count();
  out.resend = job.resend;
  return out;
}

common::Message email_job_message(const events::EmailJob& job, common::Headers headers) {
  return {std::string(events::topics::kEmails), std::nullopt, job.portal, events::encode_email_job(job),
          std::move(headers)};
}

Decision decide_request(const CompleteRequest& request, store::RequestStore& store, const CommitContext& ctx) {
  assert(ctx.portal != nullptr);
  domain::PlanInput input = plan_input(request, *ctx.portal, ctx.now_ms);
  read_store(input, store);
  domain::Plan plan = domain::plan_request(input, ctx.new_id);
  Decision decision;
  decision.outcome = plan.outcome;
  decision.created = plan.created.size();
  decision.raised = plan.raised.size();
  decision.commit = build_commit(request, std::move(plan), ctx);
  return decision;
}

domain::PlanInput plan_input(const CompleteRequest& request, const domain::Portal& portal, std::int64_t now_ms) {
  assert(!request.records.empty());
  const auto& first = request.records.front();
  domain::PlanInput input;
  input.portal = &portal;
  input.culture = first.culture;
  input.inviter_id = first.inviter_id;
  input.now_ms = now_ms;
  input.invitations.reserve(request.records.size());
  for (const auto& record : request.records) input.invitations.push_back(record.invitation);
  return input;
}

void read_store(domain::PlanInput& input, store::RequestStore& store) {
  const domain::Portal& portal = *input.portal;
  std::vector<std::string> emails;
  emails.reserve(input.invitations.size());
  for (const auto& invitation : input.invitations) emails.push_back(domain::normalize_email(invitation.email));
  input.existing = store.find_users(portal.host, emails);
  // The seat count scans the portal's users: only worth it when the request can take a seat at all.
  const bool wants_seat = std::any_of(input.invitations.begin(), input.invitations.end(),
                                      [](const domain::Invitation& i) { return domain::is_paid(i.type); });
  input.paid_seats_in_use = portal.paid_seats && wants_seat ? store.paid_seats_in_use(portal.host) : 0;
  input.invited_today =
      portal.daily_invitation_budget ? store.invited_on(portal.host, common::utc_day(input.now_ms)) : 0;
}

store::RequestCommit build_commit(const CompleteRequest& request, domain::Plan plan, const CommitContext& ctx) {
  assert(ctx.portal != nullptr && !request.records.empty());
  const auto& first = request.records.front();
  const auto headers = event_headers(first.request_id, request.traceparent);

  store::RequestCommit commit;
  commit.request_id = first.request_id;
  commit.portal = first.portal;
  commit.day = common::utc_day(ctx.now_ms);

  events::InviteReply reply;
  reply.event_id = ctx.new_id();
  reply.occurred_at_ms = ctx.now_ms;
  reply.request_id = first.request_id;
  reply.portal = first.portal;
  reply.outcome = plan.outcome;
  reply.disabled_email = plan.disabled_email;
  reply.seats = plan.seats;
  reply.rate_limit = plan.rate_limit;
  if (plan.outcome == domain::Outcome::Ok) reply.users = std::move(plan.users);

  commit.outbox.push_back(reply_message(reply, first.reply_partition, headers));

  if (plan.outcome != domain::Outcome::Ok) return commit;

  commit.invited = static_cast<std::int64_t>(plan.created.size());
  for (const auto& user : plan.created) {
    const auto job = email_job({first.request_id, first.portal, &user, first.inviter_id, false}, ctx);
    commit.outbox.push_back(email_job_message(job, headers));

    events::UserInvited event;
    event.event_id = ctx.new_id();
    event.occurred_at_ms = ctx.now_ms;
    event.request_id = first.request_id;
    event.portal = first.portal;
    event.user = user;
    event.inviter_id = first.inviter_id;
    event.inviter_role = first.inviter_role;
    commit.outbox.push_back({std::string(events::topics::kUserInvited), std::nullopt, first.portal,
                             events::encode_user_invited(event), headers});
  }
  commit.create = std::move(plan.created);
  commit.raise = std::move(plan.raised);
  return commit;
}

}  // namespace invite::worker
