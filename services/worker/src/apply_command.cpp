#include "apply_command.hpp"

#include <cassert>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "invite/common/text.hpp"
#include "invite/domain/lifecycle.hpp"
#include "invite/domain/people_admin.hpp"

namespace invite::worker {
namespace {

using domain::Outcome;
using events::CommandKind;
using events::PeopleCommand;

// The commit and reply every command starts from: the request recorded as applied, a reply of `outcome`.
struct Draft {
  CommandDecision decision;
  events::InviteReply reply;
};

Draft draft(const PeopleCommand& command, const CommitContext& ctx) {
  Draft d;
  d.decision.kind = command.kind;
  d.decision.commit.request_id = command.request_id;
  d.decision.commit.portal = ctx.portal->host;  // as the users are stored
  d.reply.event_id = ctx.new_id();
  d.reply.occurred_at_ms = ctx.now_ms;
  d.reply.request_id = command.request_id;
  d.reply.portal = command.portal;
  d.reply.command = command.kind;
  return d;
}

// The reply goes first in the outbox, as an invite's does. Every refusal returns before the draft gained any
// change, so a refused command commits its reply and its applied id only.
CommandDecision finish(Draft d, const PeopleCommand& command, Outcome outcome, const common::Headers& headers) {
  d.decision.outcome = outcome;
  d.reply.outcome = outcome;
  auto& outbox = d.decision.commit.outbox;
  outbox.insert(outbox.begin(), reply_message(d.reply, command.reply_partition, headers));
  return std::move(d.decision);
}

// A reply user, with its invitation when still pending (the listing's extra beyond DocSpace).
void add_user(events::InviteReply& reply, const domain::User& user, const domain::InvitationState& invitation) {
  reply.users.push_back(user);
  if (domain::is_pending(user)) reply.invitations[user.id] = invitation;
}

// The link's user and what check_confirm says of the link.
struct CheckedLink {
  std::optional<std::string> email;
  std::optional<store::StoredPerson> person;
  domain::ConfirmOutcome confirm;
};

CheckedLink check_link(const domain::LinkValues& link, store::PeopleStore& people, const CommitContext& ctx) {
  CheckedLink checked;
  checked.email = domain::link_email(link, ctx.link_secret);
  if (checked.email) checked.person = people.find_person(ctx.portal->host, *checked.email);
  std::optional<domain::LinkedUser> linked;
  if (checked.person) linked = checked.person->linked();
  checked.confirm = domain::check_confirm(link, linked, {ctx.portal->host, ctx.now_ms, ctx.link_secret});
  return checked;
}

CommandDecision confirm(const PeopleCommand& command, store::PeopleStore& people, const CommitContext& ctx,
                        const common::Headers& headers) {
  Draft d = draft(command, ctx);
  d.reply.validation = check_link(command.link, people, ctx).confirm;
  return finish(std::move(d), command, Outcome::Ok, headers);
}

Outcome accept_outcome(domain::AcceptOutcome outcome) {
  switch (outcome) {
    case domain::AcceptOutcome::Accept:
      return Outcome::Ok;
    case domain::AcceptOutcome::LinkInvalid:
      return Outcome::LinkInvalid;
    case domain::AcceptOutcome::LinkExpired:
      return Outcome::LinkExpired;
    case domain::AcceptOutcome::BodyMismatch:
      return Outcome::LinkMismatch;
    case domain::AcceptOutcome::NotPending:
      return Outcome::NotPending;
    case domain::AcceptOutcome::InvitationsNotAllowed:
      return Outcome::InvitationsDisabled;
  }
  return Outcome::LinkInvalid;
}

CommandDecision accept(const PeopleCommand& command, store::PeopleStore& people, const CommitContext& ctx,
                       const common::Headers& headers) {
  Draft d = draft(command, ctx);
  const CheckedLink link = check_link(command.link, people, ctx);
  domain::AcceptFacts facts;
  facts.link = link.confirm.result;
  facts.body_matches_link = domain::accept_body_matches_link({command.body_email, command.body_type, command.body_key},
                                                             command.link, link.email.value_or(""));
  facts.user = link.person ? &link.person->user : nullptr;
  facts.allow_inviting_members = ctx.portal->allow_inviting_members;
  const Outcome outcome = accept_outcome(domain::decide_accept(facts));
  if (outcome != Outcome::Ok) return finish(std::move(d), command, outcome, headers);

  const domain::User user =
      domain::activate(link.person->user, {command.first_name, command.last_name, command.culture});
  d.decision.commit.activate.push_back(
      {user.id, user.first_name, user.last_name, user.culture, command.password_hash, command.spam, ctx.now_ms});

  events::UserChanged event;
  event.event_id = ctx.new_id();
  event.occurred_at_ms = ctx.now_ms;
  event.request_id = command.request_id;
  event.portal = command.portal;
  event.user = user;
  event.activated_at_ms = ctx.now_ms;
  d.decision.commit.outbox.push_back({std::string(events::topics::kUserActivated), std::nullopt, command.portal,
                                      events::encode_user_activated(event), headers});
  d.reply.users.push_back(user);
  return finish(std::move(d), command, Outcome::Ok, headers);
}

// What listing allows (docs/lifecycle.md): any authenticated caller but a Guest sees the portal's users.
bool may_see_users(domain::Role caller) { return caller != domain::Role::Guest; }

std::vector<std::string> lower_ids(const std::vector<std::string>& ids) {
  std::vector<std::string> lower;
  lower.reserve(ids.size());
  for (const auto& id : ids) lower.push_back(common::ascii_lower(id));
  return lower;
}

CommandDecision resend(const PeopleCommand& command, store::PeopleStore& people, const CommitContext& ctx,
                       const CommandOptions& options, const common::Headers& headers) {
  Draft d = draft(command, ctx);
  // Permissions before the budget, as the invite's permissions (403) come before its daily budget (429): a
  // refused request does not spend the caller's window.
  if (command.resend_all && !domain::may_resend_all(command.caller_role)) {
    return finish(std::move(d), command, Outcome::Forbidden, headers);
  }
  const auto window =
      domain::take(options.resend_limit, people.rate_window(ctx.portal->host, command.caller_id), ctx.now_ms);
  if (!window.allowed) {
    d.reply.retry_after_seconds = window.retry_after.count();
    return finish(std::move(d), command, Outcome::RateLimited, headers);
  }
  d.decision.commit.rate_window = store::RateWindowUpdate{command.caller_id, window.next};

  const auto targets = command.resend_all ? people.pending_people(ctx.portal->host)
                                          : people.find_people(ctx.portal->host, lower_ids(command.user_ids));
  const bool visible = may_see_users(command.caller_role);
  for (const auto& target : targets) {
    domain::InvitationState invitation = target.invitation;
    if (domain::decide_resend(command.caller_role, target.user) == domain::ResendDecision::Resend) {
      const auto job = email_job({command.request_id, command.portal, &target.user, command.caller_id, true}, ctx);
      d.decision.commit.reissue.push_back({target.user.id, ctx.now_ms, command.caller_id, job.event_id});
      d.decision.commit.outbox.push_back(email_job_message(job, headers));
      invitation.sent_at_ms = ctx.now_ms;
      invitation.times_resent += 1;
      invitation.inviter_id = command.caller_id;
      invitation.delivery.reset();  // the store clears it: it concerned an older link's e-mail
    }
    if (visible) add_user(d.reply, target.user, invitation);
  }
  return finish(std::move(d), command, Outcome::Ok, headers);
}

CommandDecision list(const PeopleCommand& command, store::PeopleStore& people, const CommitContext& ctx,
                     const common::Headers& headers) {
  Draft d = draft(command, ctx);
  if (!may_see_users(command.caller_role)) return finish(std::move(d), command, Outcome::Forbidden, headers);
  const auto page = people.list_people(ctx.portal->host, command.query, command.caller_id);
  for (const auto& person : page.people) add_user(d.reply, person.user, person.invitation);
  d.reply.total = page.total;
  return finish(std::move(d), command, Outcome::Ok, headers);
}

Outcome revoke_outcome(domain::RevokeDecision decision) {
  switch (decision) {
    case domain::RevokeDecision::Allow:
      return Outcome::Ok;
    case domain::RevokeDecision::Forbidden:
    case domain::RevokeDecision::TargetIsOwner:
    case domain::RevokeDecision::TargetIsCaller:
      return Outcome::Forbidden;
    case domain::RevokeDecision::NotSuspended:
      return Outcome::NotDisabled;
  }
  return Outcome::Forbidden;
}

// Disable and delete, all or nothing: the first target in request order that names no user of the portal
// (not_found) or that the caller may not touch (forbidden, not_disabled) refuses the whole command. The Owner is
// never a user of a partition file (only invited users are), so a target is never the Owner here: the Owner's id
// names no user and answers not_found.
CommandDecision revoke(const PeopleCommand& command, store::PeopleStore& people, const CommitContext& ctx,
                       const common::Headers& headers) {
  Draft d = draft(command, ctx);
  const bool deleting = command.kind == CommandKind::Delete;
  const auto ids = lower_ids(command.user_ids);
  const auto found = people.find_people(ctx.portal->host, ids);
  std::unordered_map<std::string, const store::StoredPerson*> by_id;
  for (const auto& person : found) by_id.emplace(person.user.id, &person);
  const domain::RevokeCaller caller{command.caller_role, command.caller_id};
  for (const auto& id : ids) {
    const auto it = by_id.find(id);
    if (it == by_id.end()) return finish(std::move(d), command, Outcome::NotFound, headers);
    const auto& user = it->second->user;
    const auto decision =
        deleting ? domain::decide_delete(caller, user, false) : domain::decide_disable(caller, user, false);
    if (decision != domain::RevokeDecision::Allow) {
      return finish(std::move(d), command, revoke_outcome(decision), headers);
    }
  }

  for (const auto& person : found) {  // find_people's order: the request's, each user once
    domain::User user = person.user;
    const bool changes = deleting || user.status != domain::EmployeeStatus::Terminated;
    if (changes) {
      if (deleting) {
        d.decision.commit.remove.push_back(user.id);
      } else {
        d.decision.commit.disable.push_back(user.id);
        user.status = domain::EmployeeStatus::Terminated;
      }
      events::UserChanged event;
      event.event_id = ctx.new_id();
      event.occurred_at_ms = ctx.now_ms;
      event.request_id = command.request_id;
      event.portal = command.portal;
      event.user = user;
      event.by_id = command.caller_id;
      event.by_role = command.caller_role;
      const auto topic = deleting ? events::topics::kUserDeleted : events::topics::kUserDisabled;
      d.decision.commit.outbox.push_back(
          {std::string(topic), std::nullopt, command.portal,
           deleting ? events::encode_user_deleted(event) : events::encode_user_disabled(event), headers});
    }
    add_user(d.reply, user, person.invitation);
  }
  return finish(std::move(d), command, Outcome::Ok, headers);
}

}  // namespace

bool is_read(events::CommandKind kind) { return kind == CommandKind::Confirm || kind == CommandKind::List; }

bool skip_as_expired(const events::PeopleCommand& command, std::int64_t now_ms) {
  return is_read(command.kind) && command.deadline_ms < now_ms;
}

CommandDecision decide_command(const events::PeopleCommand& command, store::PeopleStore& people,
                               const CommitContext& ctx, const CommandOptions& options) {
  assert(ctx.portal != nullptr);
  const auto headers = event_headers(command.request_id, options.traceparent);
  switch (command.kind) {
    case CommandKind::Confirm:
      return confirm(command, people, ctx, headers);
    case CommandKind::Accept:
      return accept(command, people, ctx, headers);
    case CommandKind::Resend:
      return resend(command, people, ctx, options, headers);
    case CommandKind::List:
      return list(command, people, ctx, headers);
    case CommandKind::Disable:
    case CommandKind::Delete:
      return revoke(command, people, ctx, headers);
  }
  assert(false && "unknown command kind");
  return {};
}

}  // namespace invite::worker
