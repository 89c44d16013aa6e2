#include "apply_request.hpp"

#include <algorithm>
#include <cassert>

#include "invite/common/ids.hpp"
#include "invite/domain/invite_link.hpp"
#include "invite/domain/validation.hpp"

namespace invite::worker {
namespace {

common::Headers event_headers(const CompleteRequest& request) {
  common::Headers headers;
  headers.emplace_back(events::headers::kCorrelationId, request.records.front().request_id);
  if (!request.traceparent.empty()) headers.emplace_back(events::headers::kTraceparent, request.traceparent);
  return headers;
}

}  // namespace

Decision decide_request(const CompleteRequest& request, store::RequestStore& store, const CommitContext& ctx) {
  assert(ctx.portal != nullptr);
  domain::PlanInput input = plan_input(request, *ctx.portal, ctx.now_ms);
  read_store(input, store);
  const domain::Plan plan = domain::plan_request(input, ctx.new_id);
  Decision decision;
  decision.outcome = plan.outcome;
  decision.created = plan.created.size();
  decision.raised = plan.raised.size();
  decision.commit = build_commit(request, plan, ctx);
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

store::RequestCommit build_commit(const CompleteRequest& request, const domain::Plan& plan, const CommitContext& ctx) {
  assert(ctx.portal != nullptr && !request.records.empty());
  const auto& first = request.records.front();
  const auto headers = event_headers(request);

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
  if (plan.outcome == domain::Outcome::Ok) reply.users = plan.users;

  common::Message reply_row;
  reply_row.topic = std::string(events::topics::kReplies);
  reply_row.partition = first.reply_partition;
  reply_row.key = first.request_id;
  reply_row.value = events::encode_reply(reply);
  reply_row.headers = headers;
  commit.outbox.push_back(std::move(reply_row));

  if (plan.outcome != domain::Outcome::Ok) return commit;

  commit.create = plan.created;
  commit.raise = plan.raised;
  commit.invited = static_cast<std::int64_t>(plan.created.size());
  for (const auto& user : plan.created) {
    events::EmailJob job;
    job.event_id = ctx.new_id();
    job.occurred_at_ms = ctx.now_ms;
    job.request_id = first.request_id;
    job.portal = first.portal;
    job.portal_name = ctx.portal->display_name;
    job.recipient_email = user.email;
    job.recipient_user_id = user.id;
    job.culture = user.culture;
    job.inviter_id = first.inviter_id;
    job.confirmation_link = domain::invite_link(
        *ctx.portal, {user.email, user.type, first.inviter_id, user.culture, ctx.now_ms}, ctx.link_secret);
    job.expires_at_ms = ctx.now_ms + domain::kInviteLinkValidity.count();
    commit.outbox.push_back(
        {std::string(events::topics::kEmails), std::nullopt, first.portal, events::encode_email_job(job), headers});

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
  return commit;
}

}  // namespace invite::worker
