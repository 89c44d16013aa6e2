#include "invite/events/events.hpp"

#include "codec.hpp"
#include "requested_decoder.hpp"

#include <cassert>
#include <limits>

namespace invite::events {
using namespace detail;  // NOLINT(google-build-using-namespace): the codecs are written in the shared helpers

// ---- invite.requested.v1 ----

std::string encode_requested(const RequestedInvitation& event) {
  JsonWriter out;
  begin_envelope(out, event);
  out.member("index", event.index);
  out.member("count", event.count);
  out.member("deadline", common::Rfc3339(event.deadline_ms));
  out.member("portal", event.portal);
  out.begin_object("inviter");
  out.member("userId", event.inviter_id);
  out.member("role", to_string(event.inviter_role));
  out.end_object();
  out.member("culture", event.culture);
  out.begin_object("invitation");
  out.member("email", event.invitation.email);
  out.member("type", to_string(event.invitation.type));
  out.end_object();
  out.member("replyPartition", event.reply_partition);
  out.end_object();
  return out.text();
}

// Without a tree (requested_decoder.hpp); a "command" member is an unknown member like any other here.
common::Result<RequestedInvitation> decode_requested(std::string_view json_text) {
  return *decode_requested_value(json_text, CommandMember::Ignore);
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
    default:
      return {};  // the commands' outcomes never had a message
  }
}

// The refusals of an invite, the only outcomes that carry the deprecated "message".
bool is_invite_refusal(Outcome outcome) {
  return outcome == Outcome::UserDisabled || outcome == Outcome::PaidSeatsExceeded ||
         outcome == Outcome::DailyBudgetExceeded;
}

void write_invitation(JsonWriter& out, const domain::InvitationState& state) {
  out.begin_object("invitation");
  out.member("sentAt", common::Rfc3339(state.sent_at_ms));
  out.member("expiresAt", common::Rfc3339(domain::expires_at_ms(state)));
  out.member("timesResent", state.times_resent);
  out.member("inviterId", state.inviter_id);
  if (state.delivery) {
    out.begin_object("delivery");
    out.member("status", to_string(state.delivery->status));
    if (state.delivery->status != domain::DeliveryStatus::Sent) out.member("reason", state.delivery->reason);
    out.member("at", common::Rfc3339(state.delivery->at_ms));
    out.end_object();
  }
  out.end_object();
}

domain::InvitationState decode_invitation(const json& object, const std::string& path, Reader& reader) {
  domain::InvitationState state;
  state.sent_at_ms = reader.time(object, path, "sentAt");
  reader.time(object, path, "expiresAt");  // derived from sentAt; read to check it
  state.times_resent = reader.integer(object, path, "timesResent", 0);
  state.inviter_id = reader.uuid(object, path, "inviterId");
  if (reader.ok() && object.contains("delivery")) {
    const std::string delivery_path = path + ".delivery";
    if (const json* delivery = reader.object(object, path, "delivery")) {
      domain::Delivery outcome;
      const auto status_name = reader.string(*delivery, delivery_path, "status");
      if (reader.ok()) {
        if (const auto status = delivery_status_from_name(status_name)) {
          outcome.status = *status;
        } else {
          reader.fail(delivery_path + ".status", "unknown status '" + status_name + "'");
        }
      }
      if (reader.ok() && outcome.status != domain::DeliveryStatus::Sent) {
        outcome.reason = reader.string(*delivery, delivery_path, "reason");
      }
      outcome.at_ms = reader.time(*delivery, delivery_path, "at");
      state.delivery = outcome;
    }
  }
  return state;
}

std::optional<CommandKind> command_from_name(std::string_view name) {
  for (auto kind : {CommandKind::Confirm, CommandKind::Accept, CommandKind::Resend, CommandKind::List,
                    CommandKind::Disable, CommandKind::Delete}) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace

std::string encode_reply(const InviteReply& reply) {
  // The schema ties the optional parts to the outcome; a reply breaking that is a programming error upstream.
  assert(reply.rate_limit.has_value() == (reply.outcome == Outcome::DailyBudgetExceeded));
  assert(reply.seats.has_value() <= (reply.outcome == Outcome::PaidSeatsExceeded));
  assert(reply.disabled_email.empty() || reply.outcome == Outcome::UserDisabled);
  assert(!reply.command || !is_invite_refusal(reply.outcome));
  assert(reply.validation.has_value() == (reply.outcome == Outcome::Ok && reply.command == CommandKind::Confirm));
  assert(reply.total.has_value() == (reply.outcome == Outcome::Ok && reply.command == CommandKind::List));
  assert(reply.retry_after_seconds.has_value() == (reply.outcome == Outcome::RateLimited));
  JsonWriter out;
  begin_envelope(out, reply);
  out.member("portal", reply.portal);
  out.member("outcome", to_string(reply.outcome));
  if (reply.command) out.member("command", to_string(*reply.command));
  if (reply.outcome == Outcome::UserDisabled && !reply.disabled_email.empty()) {
    out.member("disabledEmail", reply.disabled_email);
  }
  if (reply.outcome == Outcome::PaidSeatsExceeded && reply.seats) {
    out.begin_object("paidSeats");
    out.member("needed", reply.seats->needed);
    out.member("free", reply.seats->free);
    out.end_object();
  }
  if (is_invite_refusal(reply.outcome)) {
    if (reply.message) {
      out.member("message", *reply.message);
    } else {
      out.member("message", legacy_message(reply));
    }
  }
  if (reply.outcome == Outcome::DailyBudgetExceeded && reply.rate_limit) {
    out.begin_object("rateLimit");
    out.member("limit", reply.rate_limit->limit);
    out.member("remaining", reply.rate_limit->remaining);
    out.member("resetAt", common::Rfc3339(reply.rate_limit->reset_at_ms));
    out.end_object();
  }
  if (reply.validation) {
    out.begin_object("validation");
    out.member("result", static_cast<int>(reply.validation->result));
    if (reply.validation->result == domain::ValidationResult::Ok) out.member("email", reply.validation->email);
    out.end_object();
  }
  if (reply.outcome == Outcome::Ok && reply.command != CommandKind::Confirm) {
    out.begin_array("users");
    for (const auto& user : reply.users) {
      out.begin_object();
      write_user_members(out, user);
      if (const auto it = reply.invitations.find(user.id); it != reply.invitations.end()) {
        write_invitation(out, it->second);
      }
      out.end_object();
    }
    out.end_array();
  }
  if (reply.total) out.member("total", *reply.total);
  if (reply.retry_after_seconds) out.member("retryAfterSeconds", *reply.retry_after_seconds);
  out.end_object();
  return out.text();
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
  if (reader.ok() && doc.contains("command")) {
    const auto command_name = reader.string(doc, "", "command");
    const auto command = command_from_name(command_name);
    if (reader.ok() && !command) reader.fail("command", "unknown command '" + command_name + "'");
    reply.command = command;
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
  if (is_invite_refusal(reply.outcome)) reply.message = reader.string(doc, "", "message");
  if (reply.outcome == Outcome::DailyBudgetExceeded) {
    if (const json* limit = reader.object(doc, "", "rateLimit")) {
      RateLimit rate_limit;
      rate_limit.limit = reader.integer(*limit, "rateLimit", "limit", 0);
      rate_limit.remaining = reader.integer(*limit, "rateLimit", "remaining", 0);
      rate_limit.reset_at_ms = reader.time(*limit, "rateLimit", "resetAt");
      reply.rate_limit = rate_limit;
    }
  }
  if (reply.outcome == Outcome::Ok && reply.command == CommandKind::Confirm) {
    if (const json* validation = reader.object(doc, "", "validation")) {
      domain::ConfirmOutcome confirm;
      const auto result = reader.integer(*validation, "validation", "result");
      if (reader.ok() && result != 0 && result != 1 && result != 2 && result != 4) {
        reader.fail("validation.result", "unknown result " + std::to_string(result));
      }
      confirm.result = static_cast<domain::ValidationResult>(result);
      if (reader.ok() && confirm.result == domain::ValidationResult::Ok) {
        confirm.email = reader.string(*validation, "validation", "email");
      }
      reply.validation = confirm;
    }
  } else if (reply.outcome == Outcome::Ok) {
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
        if (reader.ok() && item.contains("invitation")) {
          if (const json* invitation = reader.object(item, path, "invitation")) {
            reply.invitations[reply.users.back().id] = decode_invitation(*invitation, path + ".invitation", reader);
          }
        }
      }
    }
    if (reader.ok() && reply.command == CommandKind::List) reply.total = reader.integer(doc, "", "total", 0);
  }
  if (reader.ok() && reply.outcome == Outcome::RateLimited) {
    reply.retry_after_seconds = reader.integer(doc, "", "retryAfterSeconds", 1);
  }
  if (!reader.ok()) return common::fail(reader.error());
  return reply;
}

// ---- invite.emails.v1 ----

std::string encode_email_job(const EmailJob& job) {
  JsonWriter out;
  begin_envelope(out, job);
  out.member("portal", job.portal);
  out.member("portalName", job.portal_name);
  out.begin_object("recipient");
  out.member("email", job.recipient_email);
  out.member("userId", job.recipient_user_id);
  out.end_object();
  out.member("culture", job.culture);
  out.begin_object("inviter");
  out.member("userId", job.inviter_id);
  out.end_object();
  // Deprecated, still required by the schema: the English subject the mailer's en-US template also uses.
  if (job.subject) {
    out.member("subject", *job.subject);
  } else {
    out.member("subject", "Join " + job.portal_name + " DocSpace");
  }
  out.member("template", kEmailTemplate);
  out.member("confirmationLink", job.confirmation_link);
  out.member("expiresAt", common::Rfc3339(job.expires_at_ms));
  if (job.resend) out.member("resend", true);
  out.end_object();
  return out.text();
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
  if (reader.ok() && doc.contains("resend")) {
    const json& resend = doc["resend"];
    if (!resend.is_boolean()) reader.fail("resend", "must be a boolean");
    job.resend = resend.is_boolean() && resend.get<bool>();
  }
  if (!reader.ok()) return common::fail(reader.error());
  return job;
}

// ---- people.user-invited.v1 ----

std::string encode_user_invited(const UserInvited& event) {
  JsonWriter out;
  begin_envelope(out, event);
  out.member("portal", event.portal);
  write_event_user(out, event.user);
  out.begin_object("invitedBy");
  out.member("userId", event.inviter_id);
  out.member("role", to_string(event.inviter_role));
  out.end_object();
  out.end_object();
  return out.text();
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

// ---- commands ----

std::string_view to_string(CommandKind kind) {
  switch (kind) {
    case CommandKind::Confirm:
      return "confirm";
    case CommandKind::Accept:
      return "accept";
    case CommandKind::Resend:
      return "resend";
    case CommandKind::List:
      return "list";
    case CommandKind::Disable:
      return "disable";
    case CommandKind::Delete:
      return "delete";
  }
  return "confirm";
}

// ---- invite.email-status.v1 ----

std::string encode_email_status(const EmailStatus& event) {
  // What a status promises: only a retry has a next attempt, and a sent e-mail needs no reason.
  assert((event.status == DeliveryStatus::Retrying) == event.next_attempt_at_ms.has_value());
  assert(event.status == DeliveryStatus::Sent || !event.reason.empty());
  JsonWriter out;
  begin_envelope(out, event);
  out.member("portal", event.portal);
  out.member("jobEventId", event.job_event_id);
  out.begin_object("recipient");
  out.member("email", event.recipient_email);
  out.member("userId", event.recipient_user_id);
  out.end_object();
  out.member("status", to_string(event.status));
  out.member("attempt", event.attempt);
  out.member("messageId", event.message_id);
  out.member("culture", event.culture);
  if (event.smtp_code) out.member("smtpCode", *event.smtp_code);
  if (event.status != DeliveryStatus::Sent) out.member("reason", event.reason);
  if (event.next_attempt_at_ms) out.member("nextAttemptAt", common::Rfc3339(*event.next_attempt_at_ms));
  out.end_object();
  return out.text();
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
