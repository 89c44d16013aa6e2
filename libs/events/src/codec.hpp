#pragma once
// What every codec of libs/events shares: the envelope every event starts with, the user object, and the Reader
// that decodes fields and remembers the first defect. Internal to the library (src/), not part of its interface.
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "invite/common/ids.hpp"
#include "invite/common/json_text.hpp"
#include "invite/common/json_writer.hpp"
#include "invite/domain/validation.hpp"
#include "invite/events/events.hpp"

namespace invite::events::detail {

using json = nlohmann::json;
using common::JsonWriter;

using domain::ActivationStatus;
using domain::delivery_status_from_name;
using domain::email_local_part;
using domain::employee_type_from_name;
using domain::EmployeeStatus;
using domain::role_from_name;
using domain::to_string;

// The encoders write with a streaming JSON writer, member by member in each schema's documented order, and never
// build a tree: building and dumping trees took 18% of the worker's thread (docs/performance.md). The decoders read
// trees, except invite.requested.v1's, the worker's hot path, which reads SAX events (requested_decoder.hpp).

// The fields every event starts with; each event struct names them event_id, occurred_at_ms and request_id. Opens
// the event's object, which the encoder closes after its own members.
template <class Event>
void begin_envelope(JsonWriter& out, const Event& event) {
  out.begin_object();
  out.member("schemaVersion", kSchemaVersion);
  out.member("eventId", event.event_id);
  out.member("occurredAt", common::Rfc3339(event.occurred_at_ms));
  out.member("requestId", event.request_id);
}

// The user object's members, in an object the caller opened (a reply's user may carry its invitation too).
inline void write_user_members(JsonWriter& out, const User& user) {
  out.member("id", user.id);
  out.member("email", user.email);
  out.member("firstName", user.first_name);
  out.member("lastName", user.last_name);
  out.member("userName", user.user_name);
  out.member("type", to_string(user.type));
  out.member("activationStatus", static_cast<int>(user.activation_status));
  out.member("status", static_cast<int>(user.status));
  out.member("culture", user.culture);
  out.member("createdBy", user.created_by);
  out.member("createdAt", common::Rfc3339(user.created_at_ms));
}

// The "user" object of the people.* events (proto/events/people.*.schema.json): fewer members than
// write_user_members writes for replies, in the schemas' order.
inline void write_event_user(JsonWriter& out, const User& user) {
  out.begin_object("user");
  out.member("id", user.id);
  out.member("email", user.email);
  out.member("type", to_string(user.type));
  out.member("activationStatus", static_cast<int>(user.activation_status));
  out.member("status", static_cast<int>(user.status));
  out.member("culture", user.culture);
  out.end_object();
}

inline std::string join(std::string_view prefix, std::string_view key) {
  if (prefix.empty()) return std::string(key);
  std::string out(prefix);
  out += '.';
  out += key;
  return out;
}

// Reads fields and remembers only the first defect, so that the error names the field a producer got wrong
// first in the order the decoder reads the fields (the schema's) rather than a cascade of follow-up complaints.
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
inline std::optional<json> parse_document(std::string_view text, Reader& reader) {
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

inline User decode_user(const json& object, const std::string& prefix, std::string_view portal, Reader& reader) {
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

inline std::optional<Outcome> outcome_from_name(std::string_view name) {
  for (auto outcome : domain::kAllOutcomes) {
    if (to_string(outcome) == name) return outcome;
  }
  return std::nullopt;
}

inline constexpr std::string_view kEmailTemplate = "invitation";

}  // namespace invite::events::detail
