#include "invite_endpoint.hpp"

#include <cassert>

#include "http_replies.hpp"
#include "invite/domain/permissions.hpp"
#include "invite_request.hpp"
#include "responses.hpp"

namespace invite::gateway {

InviteEndpoint::InviteEndpoint(InviteEnvironment env, InviteSettings settings)
    : env_(std::move(env)), settings_(settings) {
  assert(env_.portals && env_.publisher && env_.pending && env_.metrics && env_.now_ms && env_.schedule && env_.new_id);
}

void InviteEndpoint::finish(const std::string& outcome, http::Respond& respond, http::Response response) {
  env_.metrics->invite_requests(response.status, outcome).inc();
  respond(std::move(response));
}

void InviteEndpoint::finish(Refusal refusal, http::Respond& respond) {
  finish(refusal.outcome, respond, std::move(refusal.response));
}

void InviteEndpoint::operator()(http::Request request, http::Respond respond) {
  auto arrived = arrive(env_, request);
  if (!arrived) return finish(arrived.error(), respond);
  const Arrival& arrival = *arrived;
  const std::string& media = arrival.media;
  const domain::Portal* portal = arrival.portal;
  auto verified = authenticate(env_, request, arrival);
  if (!verified) return finish(verified.error(), respond);
  const auto& caller = *verified;
  if (auto refused = refuse_content_type(request, media)) return finish(std::move(*refused), respond);

  const std::string& request_url = arrival.request_url;
  const std::int64_t started_ms = arrival.started_ms;
  const auto traceparent = valid_traceparent(request.header("traceparent"));
  auto parsed = parse_invite_request(request.body, settings_.max_invitations);
  if (!parsed) {
    return finish(
        "invalid", respond,
        json_response(400, validation_envelope(parsed.error(), request_url, trace_id_for(traceparent)), media));
  }
  auto& invite = *parsed;

  for (const auto& invitation : invite.invitations) {
    if (!domain::may_invite(caller.role, invitation.type, portal->allow_inviting_members)) {
      return finish(access_denied(media), respond);
    }
  }

  if (invite.invitations.empty()) {
    return finish("ok", respond, json_response(200, success_envelope({}, *portal, request_url), media));
  }

  const std::string request_id = env_.new_id();
  const std::int64_t deadline_ms = started_ms + settings_.request_timeout.count();
  const std::string culture = invite.culture.value_or(portal->default_culture);
  std::vector<events::RequestedInvitation> records;
  records.reserve(invite.invitations.size());
  for (std::size_t i = 0; i < invite.invitations.size(); ++i) {
    events::RequestedInvitation record;
    record.event_id = env_.new_id();
    record.occurred_at_ms = started_ms;
    record.request_id = request_id;
    record.index = static_cast<int>(i);
    record.count = static_cast<int>(invite.invitations.size());
    record.deadline_ms = deadline_ms;
    record.portal = portal->host;
    record.inviter_id = caller.user_id;
    record.inviter_role = caller.role;
    record.culture = culture;
    record.invitation = std::move(invite.invitations[i]);
    record.reply_partition = settings_.reply_partition;
    records.push_back(std::move(record));
  }

  // The completion owns everything the answer needs; the portal directory outlives every request.
  auto on_complete = [this, respond, portal, request_url, media, request_id,
                      started_ms](Completion completion) mutable {
    env_.metrics->pending_requests.set(static_cast<double>(env_.pending->size()));
    env_.metrics->invite_duration.observe(static_cast<double>(env_.now_ms() - started_ms) / 1000.0);
    if (auto* reply = std::get_if<events::InviteReply>(&completion)) {
      return finish(std::string(domain::to_string(reply->outcome)), respond,
                    reply_response(*reply, *portal, request_url, media, env_.now_ms()));
    }
    finish(unanswered(completion, media, request_id), respond);
  };
  const bool dispatched =
      dispatch(env_, records.size(), request_id, deadline_ms, std::move(on_complete),
               [&](std::function<void(PublishOutcome)> on_delivered) {
                 env_.metrics->invitations_published.inc(static_cast<double>(records.size()));
                 env_.publisher->publish(records, traceparent.value_or(""), std::move(on_delivered));
               });
  if (!dispatched) return finish("overloaded", respond, overloaded_response(media));
}

}  // namespace invite::gateway
