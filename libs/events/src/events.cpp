#include "invite/events/events.hpp"

#include <cassert>
#include <limits>
#include <nlohmann/json.hpp>

#include "invite/common/ids.hpp"
#include "invite/common/json_text.hpp"
#include "invite/domain/validation.hpp"

namespace invite::events {
namespace {

using ordered = nlohmann::ordered_json;
using json = nlohmann::json;

using domain::ActivationStatus;
using domain::email_local_part;
using domain::employee_type_from_name;
using domain::EmployeeStatus;
using domain::is_valid_culture;
using domain::is_valid_email;
using domain::role_from_name;
using domain::to_string;

// Invalid UTF-8 in a string field must not throw out of a producer path: it is replaced instead.
std::string dump(const ordered& document) { return document.dump(-1, ' ', false, ordered::error_handler_t::replace); }

// The fields every event starts with; each event struct names them event_id, occurred_at_ms and request_id.
template <class Event>
ordered envelope_head(const Event& event) {
  ordered out = ordered::object();
  out["schemaVersion"] = kSchemaVersion;
  out["eventId"] = event.event_id;
  out["occurredAt"] = common::rfc3339_utc(event.occurred_at_ms);
  out["requestId"] = event.request_id;
  return out;
}

ordered encode_user(const User& user) {
  ordered out = ordered::object();
  out["id"] = user.id;
  out["email"] = user.email;
  out["firstName"] = user.first_name;
  out["lastName"] = user.last_name;
  out["userName"] = user.user_name;
  out["type"] = to_string(user.type);
  out["activationStatus"] = static_cast<int>(user.activation_status);
  out["status"] = static_cast<int>(user.status);
  out["culture"] = user.culture;
  out["createdBy"] = user.created_by;
  out["createdAt"] = common::rfc3339_utc(user.created_at_ms);
  return out;
}

std::string join(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  std::string out(prefix);
  out += '.';
  out += key;
  return out;
}

// Reads fields and remembers only the first defect, so that the error names the field a producer got wrong
// first in document order rather than a cascade of follow-up complaints.
class Reader {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void fail(std::string_view path, std::string_view what) {
    if (!error_.empty()) return;
    error_ = std::string(path);
    error_ += ": ";
    error_ += what;
  }

  const json* field(const json& object, std::string_view prefix, std::string_view key) {
    if (!ok()) return nullptr;
    const auto it = object.find(key);
    if (it == object.end()) {
      fail(join(prefix, key), "missing");
      return nullptr;
    }
    return &*it;
  }

  const json* object(const json& parent, std::string_view prefix, std::string_view key) {
    const json* value = field(parent, prefix, key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      fail(join(prefix, key), "must be an object");
      return nullptr;
    }
    return value;
  }

  std::string string(const json& parent, std::string_view prefix, std::string_view key) {
    const json* value = field(parent, prefix, key);
    if (value == nullptr) return {};
    if (!value->is_string()) {
      fail(join(prefix, key), "must be a string");
      return {};
    }
    return value->get<std::string>();
  }

  std::string uuid(const json& parent, std::string_view prefix, std::string_view key) {
    auto text = string(parent, prefix, key);
    if (ok() && !common::is_uuid(text)) fail(join(prefix, key), "not a uuid");
    return text;
  }

  // A string that `valid` accepts; `what` says what it must be ("not a valid e-mail").
  template <typename Predicate>
  std::string checked(const json& parent, std::string_view prefix, std::string_view key, Predicate valid,
                      std::string_view what) {
    auto text = string(parent, prefix, key);
    if (ok() && !valid(text)) fail(join(prefix, key), what);
    return text;
  }

  std::int64_t integer(const json& parent, std::string_view prefix, std::string_view key,
                       std::int64_t min = std::numeric_limits<std::int64_t>::min(),
                       std::int64_t max = std::numeric_limits<std::int64_t>::max()) {
    const json* value = field(parent, prefix, key);
    if (value == nullptr) return 0;
    if (!value->is_number_integer()) {
      fail(join(prefix, key), "must be an integer");
      return 0;
    }
    if (value->is_number_unsigned() &&
        value->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      fail(join(prefix, key), "out of range");
      return 0;
    }
    const auto number = value->get<std::int64_t>();
    if (number < min || number > max) {
      fail(join(prefix, key), "out of range");
      return 0;
    }
    return number;
  }

  std::int64_t time(const json& parent, std::string_view prefix, std::string_view key) {
    const auto text = string(parent, prefix, key);
    if (!ok()) return 0;
    const auto ms = common::parse_rfc3339(text);
    if (!ms) {
      fail(join(prefix, key), "not an RFC 3339 date-time");
      return 0;
    }
    return *ms;
  }

  // Only canonical names: the encoders write nothing else, and All is never an effective or stored type.
  EmployeeType type(const json& parent, std::string_view prefix, std::string_view key) {
    const auto name = string(parent, prefix, key);
    if (!ok()) return EmployeeType::User;
    const auto type = employee_type_from_name(name);
    if (!type || *type == EmployeeType::All || to_string(*type) != name) {
      fail(join(prefix, key), "unknown type '" + name + "'");
      return EmployeeType::User;
    }
    return *type;
  }

  Role role(const json& parent, std::string_view prefix, std::string_view key) {
    const auto name = string(parent, prefix, key);
    if (!ok()) return Role::Guest;
    const auto role = role_from_name(name);
    if (!role) {
      fail(join(prefix, key), "unknown role '" + name + "'");
      return Role::Guest;
    }
    return *role;
  }

  ActivationStatus activation_status(const json& parent, std::string_view prefix, std::string_view key) {
    const auto number = integer(parent, prefix, key);
    if (!ok()) return ActivationStatus::Pending;
    switch (number) {
      case 0:
        return ActivationStatus::NotActivated;
      case 1:
        return ActivationStatus::Activated;
      case 2:
        return ActivationStatus::Pending;
      case 4:
        return ActivationStatus::AutoGenerated;
      default:
        fail(join(prefix, key), "unknown activation status " + std::to_string(number));
        return ActivationStatus::Pending;
    }
  }

  EmployeeStatus employee_status(const json& parent, std::string_view prefix, std::string_view key) {
    const auto number = integer(parent, prefix, key);
    if (!ok()) return EmployeeStatus::Pending;
    switch (number) {
      case 1:
        return EmployeeStatus::Active;
      case 2:
        return EmployeeStatus::Terminated;
      case 4:
        return EmployeeStatus::Pending;
      default:
        fail(join(prefix, key), "unknown status " + std::to_string(number));
        return EmployeeStatus::Pending;
    }
  }

 private:
  std::string error_;
};

// Parses the text and checks the fields every event shares. nullopt (with the reader's error set) otherwise.
std::optional<json> parse_document(std::string_view text, Reader& reader) {
  json document = common::parse_json_text<json>(text);
  if (document.is_discarded()) {
    reader.fail("$", "not valid JSON");
    return std::nullopt;
  }
  if (!document.is_object()) {
    reader.fail("$", "not a JSON object");
    return std::nullopt;
  }
  const auto version = reader.integer(document, "", "schemaVersion");
  if (reader.ok() && version != kSchemaVersion) {
    reader.fail("schemaVersion", "unsupported version " + std::to_string(version) + " (expected " +
                                     std::to_string(kSchemaVersion) + ")");
  }
  if (!reader.ok()) return std::nullopt;
  return document;
}

// Reads what envelope_head() writes after the version (checked by parse_document).
template <class Event>
void read_envelope_head(const json& doc, Reader& reader, Event& event) {
  event.event_id = reader.uuid(doc, "", "eventId");
  event.occurred_at_ms = reader.time(doc, "", "occurredAt");
  event.request_id = reader.uuid(doc, "", "requestId");
}

User decode_user(const json& object, const std::string& prefix, std::string_view portal, Reader& reader) {
  User user;
  user.id = reader.string(object, prefix, "id");
  user.portal = std::string(portal);
  user.email = reader.string(object, prefix, "email");
  user.first_name = reader.string(object, prefix, "firstName");
  user.last_name = reader.string(object, prefix, "lastName");
  user.user_name = reader.string(object, prefix, "userName");
  user.type = reader.type(object, prefix, "type");
  user.activation_status = reader.activation_status(object, prefix, "activationStatus");
  user.status = reader.employee_status(object, prefix, "status");
  user.culture = reader.string(object, prefix, "culture");
  user.created_by = reader.string(object, prefix, "createdBy");
  user.created_at_ms = reader.time(object, prefix, "createdAt");
  return user;
}

std::optional<Outcome> outcome_from_name(std::string_view name) {
  for (auto outcome : {Outcome::Ok, Outcome::UserDisabled, Outcome::PaidSeatsExceeded, Outcome::DailyBudgetExceeded}) {
    if (to_string(outcome) == name) return outcome;
  }
  return std::nullopt;
}

constexpr std::string_view kEmailTemplate = "invitation";

std::optional<DeliveryStatus> delivery_status_from_name(std::string_view name) {
  for (auto status : {DeliveryStatus::Sent, DeliveryStatus::Retrying, DeliveryStatus::Failed}) {
    if (to_string(status) == name) return status;
  }
  return std::nullopt;
}

}  // namespace

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
