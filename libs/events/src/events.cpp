#include "invite/events/events.hpp"

#include "codec.hpp"

#include <cassert>
#include <limits>

namespace invite::events {
using namespace detail;  // NOLINT(google-build-using-namespace): the codecs are written in the shared helpers

// ---- invite.requested.v1 ----

std::string encode_requested(const RequestedInvitation& event) {
  ordered out = envelope_head(event);
  out["index"] = event.index;
  out["count"] = event.count;
  out["deadline"] = common::rfc3339_utc(event.deadline_ms);
  out["portal"] = event.portal;
  out["inviter"] = ordered{{"userId", event.inviter_id}, {"role", to_string(event.inviter_role)}};
  out["culture"] = event.culture;
  out["invitation"] = ordered{{"email", event.invitation.email}, {"type", to_string(event.invitation.type)}};
  out["replyPartition"] = event.reply_partition;
  return dump(out);
}

common::Result<RequestedInvitation> decode_requested(std::string_view json_text) {
  Reader reader;
  const auto document = parse_document(json_text, reader);
  if (!document) return common::fail(reader.error());
  const json& doc = *document;
  constexpr auto kIntMax = std::numeric_limits<int>::max();

  RequestedInvitation event;
  read_envelope_head(doc, reader, event);
  const auto index = reader.integer(doc, "", "index", 0, kIntMax);
  const auto count = reader.integer(doc, "", "count");
  if (reader.ok() && count < 1) reader.fail("count", "must be at least 1");
  if (reader.ok() && count > kIntMax) reader.fail("count", "out of range");
  if (reader.ok() && index >= count) reader.fail("index", "must be less than count");
  event.index = static_cast<int>(index);
  event.count = static_cast<int>(count);
  event.deadline_ms = reader.time(doc, "", "deadline");
  // Other producers may write this topic too, and what the worker accepts here flows into users, e-mail headers
  // and the events it publishes: so every value is held to the gateway's own validation, not only to its type.
  event.portal = reader.checked(
      doc, "", "portal", [](std::string_view p) { return !p.empty(); }, "must not be empty");
  if (const json* inviter = reader.object(doc, "", "inviter")) {
    event.inviter_id = reader.uuid(*inviter, "inviter", "userId");
    event.inviter_role = reader.role(*inviter, "inviter", "role");
  }
  event.culture = reader.checked(doc, "", "culture", is_valid_culture, "not a culture like en or en-US");
  if (const json* invitation = reader.object(doc, "", "invitation")) {
    event.invitation.email = reader.checked(*invitation, "invitation", "email", is_valid_email, "not a valid e-mail");
    event.invitation.type = reader.type(*invitation, "invitation", "type");
  }
  event.reply_partition = static_cast<int>(reader.integer(doc, "", "replyPartition", 0, kIntMax));
  if (!reader.ok()) return common::fail(reader.error());
  return event;
}

// ---- invite.replies.v1 ----

namespace {

// The deprecated "message": what gateways before the structured fields forward to their clients. Frozen: the
// gateway's own wording (services/gateway, http_replies.cpp) is checked against it by the gateway's tests.
std::string legacy_message(const InviteReply& reply) {
  switch (reply.outcome) {
    case Outcome::Ok:
      return {};
    case Outcome::UserDisabled:
      return "The user is disabled: " + reply.disabled_email;
    case Outcome::PaidSeatsExceeded: {
      const auto seats = reply.seats.value_or(SeatShortage{});
      return "The number of admins exceeds the limit: " + std::to_string(seats.needed) + "/" +
             std::to_string(seats.free) + ".";
    }
    case Outcome::DailyBudgetExceeded:
      return "The daily invitation limit of the portal is reached.";
  }
  return {};
}

}  // namespace

std::string encode_reply(const InviteReply& reply) {
  // The schema ties the optional parts to the outcome; a reply breaking that is a programming error upstream.
  assert(reply.rate_limit.has_value() == (reply.outcome == Outcome::DailyBudgetExceeded));
  assert(reply.seats.has_value() <= (reply.outcome == Outcome::PaidSeatsExceeded));
  assert(reply.disabled_email.empty() || reply.outcome == Outcome::UserDisabled);
  ordered out = envelope_head(reply);
  out["portal"] = reply.portal;
  out["outcome"] = to_string(reply.outcome);
  if (reply.outcome == Outcome::UserDisabled && !reply.disabled_email.empty()) {
    out["disabledEmail"] = reply.disabled_email;
  }
  if (reply.outcome == Outcome::PaidSeatsExceeded && reply.seats) {
    out["paidSeats"] = ordered{{"needed", reply.seats->needed}, {"free", reply.seats->free}};
  }
  if (reply.outcome != Outcome::Ok) out["message"] = reply.message ? *reply.message : legacy_message(reply);
  if (reply.outcome == Outcome::DailyBudgetExceeded && reply.rate_limit) {
    out["rateLimit"] = ordered{{"limit", reply.rate_limit->limit},
                               {"remaining", reply.rate_limit->remaining},
                               {"resetAt", common::rfc3339_utc(reply.rate_limit->reset_at_ms)}};
  }
  if (reply.outcome == Outcome::Ok) {
    ordered users = ordered::array();
    for (const auto& user : reply.users) users.push_back(encode_user(user));
    out["users"] = std::move(users);
  }
  return dump(out);
}

common::Result<InviteReply> decode_reply(std::string_view json_text) {
  Reader reader;
  const auto document = parse_document(json_text, reader);
  if (!document) return common::fail(reader.error());
  const json& doc = *document;

  InviteReply reply;
  read_envelope_head(doc, reader, reply);
  reply.portal = reader.string(doc, "", "portal");
  const auto outcome_name = reader.string(doc, "", "outcome");
  if (reader.ok()) {
    const auto outcome = outcome_from_name(outcome_name);
    if (!outcome) reader.fail("outcome", "unknown outcome '" + outcome_name + "'");
    reply.outcome = outcome.value_or(Outcome::Ok);
  }
  if (!reader.ok()) return common::fail(reader.error());

  if (reply.outcome == Outcome::UserDisabled && doc.contains("disabledEmail")) {
    reply.disabled_email = reader.string(doc, "", "disabledEmail");
  }
  if (reply.outcome == Outcome::PaidSeatsExceeded && doc.contains("paidSeats")) {
    if (const json* seats = reader.object(doc, "", "paidSeats")) {
      SeatShortage shortage;
      shortage.needed = reader.integer(*seats, "paidSeats", "needed", 0);
      shortage.free = reader.integer(*seats, "paidSeats", "free", 0);
      reply.seats = shortage;
    }
  }
  if (reply.outcome != Outcome::Ok) reply.message = reader.string(doc, "", "message");
  if (reply.outcome == Outcome::DailyBudgetExceeded) {
    if (const json* limit = reader.object(doc, "", "rateLimit")) {
      RateLimit rate_limit;
      rate_limit.limit = reader.integer(*limit, "rateLimit", "limit", 0);
      rate_limit.remaining = reader.integer(*limit, "rateLimit", "remaining", 0);
      rate_limit.reset_at_ms = reader.time(*limit, "rateLimit", "resetAt");
      reply.rate_limit = rate_limit;
    }
  }
  if (reply.outcome == Outcome::Ok) {
    if (const json* users = reader.field(doc, "", "users")) {
      if (!users->is_array()) reader.fail("users", "must be an array");
      for (std::size_t i = 0; reader.ok() && i < users->size(); ++i) {
        const std::string path = "users[" + std::to_string(i) + "]";
        const json& item = (*users)[i];
        if (!item.is_object()) {
          reader.fail(path, "must be an object");
          break;
        }
        reply.users.push_back(decode_user(item, path, reply.portal, reader));
      }
    }
  }
  if (!reader.ok()) return common::fail(reader.error());
  return reply;
}

// ---- invite.emails.v1 ----

std::string encode_email_job(const EmailJob& job) {
  ordered out = envelope_head(job);
  out["portal"] = job.portal;
  out["portalName"] = job.portal_name;
  out["recipient"] = ordered{{"email", job.recipient_email}, {"userId", job.recipient_user_id}};
  out["culture"] = job.culture;
  out["inviter"] = ordered{{"userId", job.inviter_id}};
  // Deprecated, still required by the schema: the English subject the mailer's en-US template also uses.
  out["subject"] = job.subject ? *job.subject : "Join " + job.portal_name + " DocSpace";
  out["template"] = kEmailTemplate;
  out["confirmationLink"] = job.confirmation_link;
  out["expiresAt"] = common::rfc3339_utc(job.expires_at_ms);
  return dump(out);
}

common::Result<EmailJob> decode_email_job(std::string_view json_text) {
  Reader reader;
  const auto document = parse_document(json_text, reader);
  if (!document) return common::fail(reader.error());
  const json& doc = *document;

  EmailJob job;
  read_envelope_head(doc, reader, job);
  job.portal = reader.string(doc, "", "portal");
  job.portal_name = reader.string(doc, "", "portalName");
  if (const json* recipient = reader.object(doc, "", "recipient")) {
    job.recipient_email = reader.string(*recipient, "recipient", "email");
    job.recipient_user_id = reader.string(*recipient, "recipient", "userId");
  }
  job.culture = reader.string(doc, "", "culture");
  if (const json* inviter = reader.object(doc, "", "inviter")) {
    job.inviter_id = reader.string(*inviter, "inviter", "userId");
  }
  job.subject = reader.string(doc, "", "subject");
  const auto template_name = reader.string(doc, "", "template");
  if (reader.ok() && template_name != kEmailTemplate) {
    reader.fail("template", "unknown template '" + template_name + "'");
  }
  job.confirmation_link = reader.string(doc, "", "confirmationLink");
  job.expires_at_ms = reader.time(doc, "", "expiresAt");
  if (!reader.ok()) return common::fail(reader.error());
  return job;
}

// ---- people.user-invited.v1 ----

std::string encode_user_invited(const UserInvited& event) {
  ordered out = envelope_head(event);
  out["portal"] = event.portal;
  out["user"] = ordered{{"id", event.user.id},
                        {"email", event.user.email},
                        {"type", to_string(event.user.type)},
                        {"activationStatus", static_cast<int>(event.user.activation_status)},
                        {"status", static_cast<int>(event.user.status)},
                        {"culture", event.user.culture}};
  out["invitedBy"] = ordered{{"userId", event.inviter_id}, {"role", to_string(event.inviter_role)}};
  return dump(out);
}

common::Result<UserInvited> decode_user_invited(std::string_view json_text) {
  Reader reader;
  const auto document = parse_document(json_text, reader);
  if (!document) return common::fail(reader.error());
  const json& doc = *document;

  UserInvited event;
  read_envelope_head(doc, reader, event);
  event.portal = reader.string(doc, "", "portal");
  if (const json* user = reader.object(doc, "", "user")) {
    event.user.id = reader.string(*user, "user", "id");
    event.user.email = reader.string(*user, "user", "email");
    event.user.type = reader.type(*user, "user", "type");
    event.user.activation_status = reader.activation_status(*user, "user", "activationStatus");
    event.user.status = reader.employee_status(*user, "user", "status");
    event.user.culture = reader.string(*user, "user", "culture");
  }
  if (const json* invited_by = reader.object(doc, "", "invitedBy")) {
    event.inviter_id = reader.string(*invited_by, "invitedBy", "userId");
    event.inviter_role = reader.role(*invited_by, "invitedBy", "role");
  }
  if (!reader.ok()) return common::fail(reader.error());
  // The event carries only what consumers need; the rest of the user is what every invited user has at the
  // moment of the event, so a consumer (and a round trip) gets the same User the worker created.
  event.user.portal = event.portal;
  event.user.user_name = email_local_part(event.user.email);
  event.user.created_by = event.inviter_id;
  event.user.created_at_ms = event.occurred_at_ms;
  return event;
}

// ---- invite.email-status.v1 ----

std::string_view to_string(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::Sent:
      return "sent";
    case DeliveryStatus::Retrying:
      return "retrying";
    case DeliveryStatus::Failed:
      return "failed";
  }
  return "failed";
}

std::string encode_email_status(const EmailStatus& event) {
  // What a status promises: only a retry has a next attempt, and a sent e-mail needs no reason.
  assert((event.status == DeliveryStatus::Retrying) == event.next_attempt_at_ms.has_value());
  assert(event.status == DeliveryStatus::Sent || !event.reason.empty());
  ordered out = envelope_head(event);
  out["portal"] = event.portal;
  out["jobEventId"] = event.job_event_id;
  out["recipient"] = ordered{{"email", event.recipient_email}, {"userId", event.recipient_user_id}};
  out["status"] = to_string(event.status);
  out["attempt"] = event.attempt;
  out["messageId"] = event.message_id;
  out["culture"] = event.culture;
  if (event.smtp_code) out["smtpCode"] = *event.smtp_code;
  if (event.status != DeliveryStatus::Sent) out["reason"] = event.reason;
  if (event.next_attempt_at_ms) out["nextAttemptAt"] = common::rfc3339_utc(*event.next_attempt_at_ms);
  return dump(out);
}

common::Result<EmailStatus> decode_email_status(std::string_view json_text) {
  Reader reader;
  const auto document = parse_document(json_text, reader);
  if (!document) return common::fail(reader.error());
  const json& doc = *document;

  EmailStatus event;
  read_envelope_head(doc, reader, event);
  event.portal = reader.string(doc, "", "portal");
  event.job_event_id = reader.uuid(doc, "", "jobEventId");
  if (const json* recipient = reader.object(doc, "", "recipient")) {
    event.recipient_email = reader.string(*recipient, "recipient", "email");
    event.recipient_user_id = reader.string(*recipient, "recipient", "userId");
  }
  const auto status_name = reader.string(doc, "", "status");
  if (reader.ok()) {
    if (const auto status = delivery_status_from_name(status_name)) {
      event.status = *status;
    } else {
      reader.fail("status", "unknown status '" + status_name + "'");
    }
  }
  event.attempt = static_cast<int>(reader.integer(doc, "", "attempt", 1, std::numeric_limits<int>::max()));
  event.message_id = reader.string(doc, "", "messageId");
  event.culture = reader.string(doc, "", "culture");
  if (reader.ok() && doc.contains("smtpCode")) {
    event.smtp_code = static_cast<int>(reader.integer(doc, "", "smtpCode", 200, 599));
  }
  if (reader.ok() && event.status != DeliveryStatus::Sent) event.reason = reader.string(doc, "", "reason");
  if (reader.ok() && event.status == DeliveryStatus::Retrying) {
    event.next_attempt_at_ms = reader.time(doc, "", "nextAttemptAt");
  }
  if (!reader.ok()) return common::fail(reader.error());
  return event;
}

}  // namespace invite::events
