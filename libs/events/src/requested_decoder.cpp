#include "requested_decoder.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "invite/common/ids.hpp"
#include "invite/common/json_text.hpp"
#include "invite/domain/types.hpp"
#include "invite/domain/validation.hpp"

namespace invite::events::detail {
namespace {

using json = nlohmann::json;

// The members of invite.requested.v1 (proto/events/invite.requested.v1.schema.json), the nested ones included, in
// the order they are checked. None stands for every other member, whose value is skipped without being stored.
enum class Field : std::uint8_t {
  None,
  SchemaVersion,
  EventId,
  OccurredAt,
  RequestId,
  Index,
  Count,
  Deadline,
  Portal,
  Inviter,
  InviterUserId,
  InviterRole,
  Culture,
  Invitation,
  InvitationEmail,
  InvitationType,
  ReplyPartition,
};
constexpr std::size_t kFields = static_cast<std::size_t>(Field::ReplyPartition) + 1;

// What a member's value was, as far as the checks tell values apart: the types of an nlohmann tree.
enum class Kind : std::uint8_t {
  Missing,
  String,
  Integer,      // an integer that fits std::int64_t, whether nlohmann reported it signed or unsigned
  BigUnsigned,  // an integer above INT64_MAX (the tree's unsigned): "out of range", not "must be an integer"
  Object,
  Other,  // null, true, false, an array, a number with a fraction or an exponent (1.0 is no integer)
};

Field top_level_field(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, Field>, 12> kMembers{{
      {"schemaVersion", Field::SchemaVersion},
      {"eventId", Field::EventId},
      {"occurredAt", Field::OccurredAt},
      {"requestId", Field::RequestId},
      {"index", Field::Index},
      {"count", Field::Count},
      {"deadline", Field::Deadline},
      {"portal", Field::Portal},
      {"inviter", Field::Inviter},
      {"culture", Field::Culture},
      {"invitation", Field::Invitation},
      {"replyPartition", Field::ReplyPartition},
  }};
  for (const auto& [member, field] : kMembers) {
    if (member == name) return field;
  }
  return Field::None;
}

// Only the canonical names, as Reader::type: the encoders write nothing else, and All is never a stored type.
std::optional<EmployeeType> canonical_type(std::string_view name) {
  const auto type = domain::employee_type_from_name(name);
  if (!type || *type == EmployeeType::All || domain::to_string(*type) != name) return std::nullopt;
  return type;
}

common::Error refuse(std::string_view path, std::string_view what) {
  std::string message(path);
  message += ": ";
  message += what;
  return common::fail(std::move(message));
}

// Fills a slot for each member of the schema from nlohmann's SAX events; values of any other member, at any depth,
// are skipped. Like the tree the other decoders build, a repeated member counts with its last value, and a
// repeated object replaces the earlier one whole. The strings are copied straight into the event; the date-times,
// the role and the type are converted as they arrive, so that their text is kept only when it is refused.
class RequestedHandler final : public nlohmann::json_sax<json> {
 public:
  explicit RequestedHandler(CommandMember command) : stop_at_command_(command == CommandMember::Stop) {}

  bool saw_command() const { return saw_command_; }
  bool saw_object() const { return saw_object_; }

  bool null() override { return value(Kind::Other); }
  bool boolean(bool /*value*/) override { return value(Kind::Other); }
  bool number_integer(number_integer_t number) override { return integer(number); }
  bool number_unsigned(number_unsigned_t number) override {
    if (number > static_cast<number_unsigned_t>(std::numeric_limits<std::int64_t>::max())) {
      return value(Kind::BigUnsigned);
    }
    return integer(static_cast<std::int64_t>(number));
  }
  bool number_float(number_float_t /*number*/, const string_t& /*text*/) override { return value(Kind::Other); }
  bool binary(binary_t& /*bytes*/) override { return value(Kind::Other); }  // never in JSON text

  bool string(string_t& text) override {
    const Field field = take();
    mark(field, Kind::String);
    switch (field) {
      case Field::EventId:
        event_.event_id = text;
        break;
      case Field::OccurredAt:
        occurred_at_ = common::parse_rfc3339(text);
        break;
      case Field::RequestId:
        event_.request_id = text;
        break;
      case Field::Deadline:
        deadline_ = common::parse_rfc3339(text);
        break;
      case Field::Portal:
        event_.portal = text;
        break;
      case Field::InviterUserId:
        event_.inviter_id = text;
        break;
      case Field::InviterRole:
        role_ = domain::role_from_name(text);
        if (!role_) refused_role_ = text;
        break;
      case Field::Culture:
        event_.culture = text;
        break;
      case Field::InvitationEmail:
        event_.invitation.email = text;
        break;
      case Field::InvitationType:
        type_ = canonical_type(text);
        if (!type_) refused_type_ = text;
        break;
      default:
        break;
    }
    return true;
  }

  bool start_object(std::size_t /*elements*/) override {
    if (skip_depth_ > 0) {
      ++skip_depth_;
      return true;
    }
    if (where_ == Where::Outside) {
      where_ = Where::Top;
      saw_object_ = true;
      return true;
    }
    const Field field = take();
    mark(field, Kind::Object);
    if (field == Field::Inviter) {
      mark(Field::InviterUserId, Kind::Missing);
      mark(Field::InviterRole, Kind::Missing);
      where_ = Where::Inviter;
    } else if (field == Field::Invitation) {
      mark(Field::InvitationEmail, Kind::Missing);
      mark(Field::InvitationType, Kind::Missing);
      where_ = Where::Invitation;
    } else {
      skip_depth_ = 1;
    }
    return true;
  }

  bool key(string_t& name) override {
    if (skip_depth_ > 0) return true;
    switch (where_) {
      case Where::Top:
        if (stop_at_command_ && name == "command") {
          saw_command_ = true;
          return false;
        }
        pending_ = top_level_field(name);
        break;
      case Where::Inviter:
        pending_ = name == "userId" ? Field::InviterUserId : name == "role" ? Field::InviterRole : Field::None;
        break;
      case Where::Invitation:
        pending_ = name == "email" ? Field::InvitationEmail : name == "type" ? Field::InvitationType : Field::None;
        break;
      default:
        break;
    }
    return true;
  }

  bool end_object() override {
    if (skip_depth_ > 0) {
      --skip_depth_;
      return true;
    }
    where_ = where_ == Where::Top ? Where::Done : Where::Top;
    return true;
  }

  bool start_array(std::size_t /*elements*/) override {
    mark(take(), Kind::Other);
    ++skip_depth_;  // every array is skipped, the top-level one too
    return true;
  }

  bool end_array() override {
    --skip_depth_;
    return true;
  }

  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const json::exception& /*error*/) override {
    return false;
  }

  // read_requested's checks on the slots, in its order, with its messages: the first defect wins.
  common::Result<RequestedInvitation> finish() {
    constexpr std::int64_t kIntMax = std::numeric_limits<int>::max();
    constexpr std::int64_t kMin = std::numeric_limits<std::int64_t>::min();
    constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();

    if (const char* defect = integer_defect(Field::SchemaVersion, kMin, kMax)) return refuse("schemaVersion", defect);
    if (const auto version = number(Field::SchemaVersion); version != kSchemaVersion) {
      return refuse("schemaVersion", "unsupported version " + std::to_string(version) + " (expected " +
                                         std::to_string(kSchemaVersion) + ")");
    }
    if (const char* defect = uuid_defect(Field::EventId, event_.event_id)) return refuse("eventId", defect);
    if (const char* defect = time_defect(Field::OccurredAt, occurred_at_)) return refuse("occurredAt", defect);
    event_.occurred_at_ms = *occurred_at_;
    if (const char* defect = uuid_defect(Field::RequestId, event_.request_id)) return refuse("requestId", defect);
    if (const char* defect = integer_defect(Field::Index, 0, kIntMax)) return refuse("index", defect);
    if (const char* defect = integer_defect(Field::Count, kMin, kMax)) return refuse("count", defect);
    const auto index = number(Field::Index);
    const auto count = number(Field::Count);
    if (count < 1) return refuse("count", "must be at least 1");
    if (count > kIntMax) return refuse("count", "out of range");
    if (index >= count) return refuse("index", "must be less than count");
    event_.index = static_cast<int>(index);
    event_.count = static_cast<int>(count);
    if (const char* defect = time_defect(Field::Deadline, deadline_)) return refuse("deadline", defect);
    event_.deadline_ms = *deadline_;
    // Other producers may write this topic too, and what the worker accepts here flows into users, e-mail headers
    // and the events it publishes: so every value is held to the gateway's own validation, not only to its type.
    if (const char* defect = string_defect(Field::Portal)) return refuse("portal", defect);
    if (event_.portal.empty()) return refuse("portal", "must not be empty");
    if (const char* defect = object_defect(Field::Inviter)) return refuse("inviter", defect);
    if (const char* defect = uuid_defect(Field::InviterUserId, event_.inviter_id)) {
      return refuse("inviter.userId", defect);
    }
    if (const char* defect = string_defect(Field::InviterRole)) return refuse("inviter.role", defect);
    if (!role_) return refuse("inviter.role", "unknown role '" + refused_role_ + "'");
    event_.inviter_role = *role_;
    if (const char* defect = string_defect(Field::Culture)) return refuse("culture", defect);
    if (!domain::is_valid_culture(event_.culture)) return refuse("culture", "not a culture like en or en-US");
    if (const char* defect = object_defect(Field::Invitation)) return refuse("invitation", defect);
    if (const char* defect = string_defect(Field::InvitationEmail)) return refuse("invitation.email", defect);
    if (!domain::is_valid_email(event_.invitation.email)) return refuse("invitation.email", "not a valid e-mail");
    if (const char* defect = string_defect(Field::InvitationType)) return refuse("invitation.type", defect);
    if (!type_) return refuse("invitation.type", "unknown type '" + refused_type_ + "'");
    event_.invitation.type = *type_;
    if (const char* defect = integer_defect(Field::ReplyPartition, 0, kIntMax)) {
      return refuse("replyPartition", defect);
    }
    event_.reply_partition = static_cast<int>(number(Field::ReplyPartition));
    return std::move(event_);
  }

 private:
  // Where the next member's name is looked up.
  enum class Where : std::uint8_t { Outside, Top, Inviter, Invitation, Done };

  static std::size_t slot(Field field) { return static_cast<std::size_t>(field); }

  // The member the value that begins now belongs to. None inside a skipped value: its members' names are not
  // looked up, so pending_ stays None there.
  Field take() { return std::exchange(pending_, Field::None); }

  void mark(Field field, Kind kind) { kinds_[slot(field)] = kind; }
  Kind kind(Field field) const { return kinds_[slot(field)]; }
  std::int64_t number(Field field) const { return numbers_[slot(field)]; }

  bool value(Kind kind) {
    mark(take(), kind);
    return true;
  }

  bool integer(std::int64_t number) {
    const Field field = take();
    mark(field, Kind::Integer);
    numbers_[slot(field)] = number;
    return true;
  }

  // Reader::field and the type checks of Reader::string, object and integer; nullptr when there is no defect.
  const char* string_defect(Field field) const {
    if (kind(field) == Kind::Missing) return "missing";
    return kind(field) == Kind::String ? nullptr : "must be a string";
  }

  const char* object_defect(Field field) const {
    if (kind(field) == Kind::Missing) return "missing";
    return kind(field) == Kind::Object ? nullptr : "must be an object";
  }

  const char* integer_defect(Field field, std::int64_t min, std::int64_t max) const {
    switch (kind(field)) {
      case Kind::Missing:
        return "missing";
      case Kind::BigUnsigned:
        return "out of range";
      case Kind::Integer:
        return number(field) < min || number(field) > max ? "out of range" : nullptr;
      default:
        return "must be an integer";
    }
  }

  const char* uuid_defect(Field field, const std::string& text) const {
    if (const char* defect = string_defect(field)) return defect;
    return common::is_uuid(text) ? nullptr : "not a uuid";
  }

  const char* time_defect(Field field, const std::optional<std::int64_t>& ms) const {
    if (const char* defect = string_defect(field)) return defect;
    return ms ? nullptr : "not an RFC 3339 date-time";
  }

  bool stop_at_command_;
  bool saw_command_ = false;
  bool saw_object_ = false;
  Where where_ = Where::Outside;
  Field pending_ = Field::None;
  std::size_t skip_depth_ = 0;  // the depth inside a value being skipped

  std::array<Kind, kFields> kinds_{};  // all Missing
  std::array<std::int64_t, kFields> numbers_{};
  RequestedInvitation event_;
  std::optional<std::int64_t> occurred_at_;
  std::optional<std::int64_t> deadline_;
  std::optional<Role> role_;
  std::optional<EmployeeType> type_;
  std::string refused_role_;  // the text of a role_ or type_ that is nullopt, for the error
  std::string refused_type_;
};

}  // namespace

std::optional<common::Result<RequestedInvitation>> decode_requested_value(std::string_view text,
                                                                          CommandMember command) {
  RequestedHandler handler(command);
  const bool parsed = common::sax_parse_json_text<json>(text, &handler);
  if (handler.saw_command()) return std::nullopt;
  if (!parsed) return common::Result<RequestedInvitation>(refuse("$", "not valid JSON"));
  if (!handler.saw_object()) return common::Result<RequestedInvitation>(refuse("$", "not a JSON object"));
  return handler.finish();
}

}  // namespace invite::events::detail
