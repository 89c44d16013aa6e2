#pragma once
// Values of the Kafka topics (JSON), encoded and decoded without I/O: the adapter between the domain's types and
// the contracts of proto/events. Every event carries "schemaVersion",
// a unique "eventId" (uuid) and "occurredAt" (RFC 3339 UTC, ms precision). Field names are camelCase.
// Decoders reject documents that miss a required field or carry a wrong type: their error names the field and the
// defect ("invitation.email: missing").
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invite/common/result.hpp"
#include "invite/domain/invitation_state.hpp"
#include "invite/domain/lifecycle.hpp"
#include "invite/domain/plan.hpp"
#include "invite/domain/types.hpp"
#include "invite/events/topics.hpp"

namespace invite::events {

using domain::EmployeeType;
using domain::Invitation;
using domain::Outcome;
using domain::RateLimit;
using domain::Role;
using domain::SeatShortage;
using domain::User;

inline constexpr int kSchemaVersion = 1;

// The commands of the invitation's later life (commands.hpp), named in their records and in the replies to them.
enum class CommandKind { Confirm, Accept, Resend, List, Disable, Delete };
std::string_view to_string(CommandKind kind);  // "confirm", "accept", "resend", "list", "disable", "delete"

// invite.requested.v1, key = portal host. One record per invitation of a request.
// {"schemaVersion":1,"eventId":..,"occurredAt":..,"requestId":..,"index":i,"count":n,"deadline":"<RFC 3339>",
//  "portal":..,"inviter":{"userId":..,"role":"Owner"},"culture":"en-US",
//  "invitation":{"email":..,"type":"User"},"replyPartition":p}
struct RequestedInvitation {
  std::string event_id;
  std::int64_t occurred_at_ms = 0;
  std::string request_id;
  int index = 0;
  int count = 0;
  std::int64_t deadline_ms = 0;
  std::string portal;
  std::string inviter_id;
  Role inviter_role = Role::Owner;
  std::string culture;  // effective: the request's, else the portal's default
  Invitation invitation;
  int reply_partition = 0;

  bool operator==(const RequestedInvitation&) const = default;
};
std::string encode_requested(const RequestedInvitation& event);
common::Result<RequestedInvitation> decode_requested(std::string_view json_text);

// invite.replies.v1, key = request id, written to the partition the request named.
// {"schemaVersion":1,"eventId":..,"occurredAt":..,"requestId":..,"portal":..,"outcome":"ok",
//  "disabledEmail":"...",                 (user_disabled only; absent from older workers' replies)
//  "paidSeats":{"needed":n,"free":n},     (paid_seats_exceeded only; absent from older workers' replies)
//  "message":"...",                       (errors only; deprecated, see below)
//  "rateLimit":{"limit":n,"remaining":n,"resetAt":"<RFC 3339>"},   (daily_budget_exceeded only)
//  "users":[{"id","email","firstName","lastName","userName","type","activationStatus","status","culture",
//            "createdBy","createdAt"}]}  (ok only: one per distinct e-mail, request order)
// Outcome names are domain::to_string(Outcome).
struct InviteReply {
  std::string event_id;
  std::int64_t occurred_at_ms = 0;
  std::string request_id;
  std::string portal;
  Outcome outcome = Outcome::Ok;
  std::string disabled_email;
  std::optional<SeatShortage> seats;
  // Deprecated: the HTTP message, which the gateway now words itself from the fields above. The schema still
  // requires it for errors (older gateways forward it), so encode_reply writes the text those gateways expect
  // when it is unset; decode_reply keeps what was written, for the gateway to fall back on with older workers.
  std::optional<std::string> message;
  std::optional<RateLimit> rate_limit;
  std::vector<User> users;
  // Replies to commands only (commands.hpp): the command answered; confirm's check of the link (outcome ok); list's
  // number of matching users (outcome ok; `users` is one page of them); rate_limited's wait; the invitation of
  // each pending user among `users`, by user id (written inside that user's object).
  std::optional<CommandKind> command;
  std::optional<domain::ConfirmOutcome> validation;
  std::optional<std::int64_t> total;
  std::optional<std::int64_t> retry_after_seconds;
  std::map<std::string, domain::InvitationState> invitations;

  bool operator==(const InviteReply&) const = default;
};
std::string encode_reply(const InviteReply& reply);
common::Result<InviteReply> decode_reply(std::string_view json_text);

// invite.emails.v1, key = portal: one job per new user for the mailer.
// {"schemaVersion":1,"eventId":..,"occurredAt":..,"requestId":..,"portal":..,"portalName":..,
//  "recipient":{"email":..,"userId":..},"culture":..,"inviter":{"userId":..},
//  "subject":"Join <portal name> DocSpace","template":"invitation","confirmationLink":..,"expiresAt":..}
// "subject" is deprecated: the mailer words the subject from its own templates, per culture.
struct EmailJob {
  std::string event_id;
  std::int64_t occurred_at_ms = 0;
  std::string request_id;
  std::string portal;
  std::string portal_name;
  std::string recipient_email;
  std::string recipient_user_id;
  std::string culture;
  std::string inviter_id;
  // Deprecated (the mailer never reads it), still required by the schema for other consumers: encode_email_job
  // writes the English "Join <portal name> DocSpace" when it is unset.
  std::optional<std::string> subject;
  std::string confirmation_link;
  std::int64_t expires_at_ms = 0;
  bool resend = false;  // a resend's job: the user's earlier links no longer work

  bool operator==(const EmailJob&) const = default;
};
std::string encode_email_job(const EmailJob& job);
common::Result<EmailJob> decode_email_job(std::string_view json_text);

// people.user-invited.v1, key = portal: the domain event for audit and webhooks, one per new user.
// {"schemaVersion":1,"eventId":..,"occurredAt":..,"requestId":..,"portal":..,
//  "user":{"id","email","type","activationStatus","status","culture"},"invitedBy":{"userId":..,"role":..}}
struct UserInvited {
  std::string event_id;
  std::int64_t occurred_at_ms = 0;
  std::string request_id;
  std::string portal;
  User user;
  std::string inviter_id;
  Role inviter_role = Role::Owner;

  bool operator==(const UserInvited&) const = default;
};
std::string encode_user_invited(const UserInvited& event);
common::Result<UserInvited> decode_user_invited(std::string_view json_text);

// invite.email-status.v1, key = portal: what the mailer did with an e-mail job, one event per attempt's outcome.
// {"schemaVersion":1,"eventId":..,"occurredAt":..,"requestId":..,"portal":..,"jobEventId":..,
//  "recipient":{"email":..,"userId":..},"status":"retrying","attempt":1,"messageId":"<..@..>","culture":"ru-RU",
//  "smtpCode":421,                    (when a server answered)
//  "reason":"...",                    (retrying and failed only)
//  "nextAttemptAt":"<RFC 3339>"}      (retrying only)
using domain::DeliveryStatus;  // named "sent", "retrying", "failed" (domain::to_string)

struct EmailStatus {
  std::string event_id;
  std::int64_t occurred_at_ms = 0;
  std::string request_id;
  std::string portal;
  std::string job_event_id;  // the e-mail job's eventId
  std::string recipient_email;
  std::string recipient_user_id;
  DeliveryStatus status = DeliveryStatus::Sent;
  int attempt = 1;         // 1 for the first try
  std::string message_id;  // the e-mail's Message-ID header, angle brackets included
  std::string culture;     // of the template set the e-mail was rendered with
  std::optional<int> smtp_code;
  std::string reason;
  std::optional<std::int64_t> next_attempt_at_ms;

  bool operator==(const EmailStatus&) const = default;
};
std::string encode_email_status(const EmailStatus& event);
common::Result<EmailStatus> decode_email_status(std::string_view json_text);

}  // namespace invite::events
