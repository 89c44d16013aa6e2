#include "invite/events/commands.hpp"

#include <cassert>
#include <limits>

#include "codec.hpp"
#include "requested_decoder.hpp"

namespace invite::events {
using namespace detail;  // NOLINT(google-build-using-namespace): the codecs are written in the shared helpers

namespace {

using domain::SortBy;
using domain::SortOrder;

constexpr auto kIntMax = std::numeric_limits<int>::max();

// The schema's spellings of the listing's sort keys and orders.
std::string_view sort_by_name(SortBy sort_by) {
  switch (sort_by) {
    case SortBy::Email:
      return "email";
    case SortBy::DisplayName:
      return "displayname";
    case SortBy::Created:
      return "registrationDate";
  }
  return "displayname";
}

std::optional<SortBy> sort_by_from_name(std::string_view name) {
  for (auto sort_by : {SortBy::Email, SortBy::DisplayName, SortBy::Created}) {
    if (sort_by_name(sort_by) == name) return sort_by;
  }
  return std::nullopt;
}

std::string_view sort_order_name(SortOrder order) {
  return order == SortOrder::Descending ? "descending" : "ascending";
}

std::optional<CommandKind> kind_from_name(std::string_view name) {
  for (auto kind : {CommandKind::Confirm, CommandKind::Accept, CommandKind::Resend, CommandKind::List,
                    CommandKind::Disable, CommandKind::Delete}) {
    if (to_string(kind) == name) return kind;
  }
  return std::nullopt;
}

void write_link(JsonWriter& out, const domain::LinkValues& link) {
  out.begin_object("link");
  out.member("key", link.key);
  if (link.email) out.member("email", *link.email);
  if (link.encemail) out.member("encemail", *link.encemail);
  if (link.inviter_id) out.member("inviterId", *link.inviter_id);
  out.member("employeeType", to_string(link.type.value_or(EmployeeType::All)));
  out.end_object();
}

// The link's type may be All (a link without a usable emplType), unlike every stored type.
std::optional<EmployeeType> any_type(Reader& reader, const json& parent, std::string_view prefix,
                                     std::string_view key) {
  const auto name = reader.string(parent, prefix, key);
  if (!reader.ok()) return std::nullopt;
  const auto type = employee_type_from_name(name);
  if (!type || to_string(*type) != name) {
    reader.fail(join(prefix, key), "unknown type '" + name + "'");
    return std::nullopt;
  }
  return type;
}

std::optional<std::string> optional_string(Reader& reader, const json& parent, std::string_view prefix,
                                           std::string_view key) {
  if (!reader.ok() || !parent.contains(key)) return std::nullopt;
  return reader.string(parent, prefix, key);
}

domain::LinkValues decode_link(Reader& reader, const json& doc) {
  domain::LinkValues link;
  const json* object = reader.object(doc, "", "link");
  if (object == nullptr) return link;
  link.key = reader.string(*object, "link", "key");
  link.email = optional_string(reader, *object, "link", "email");
  link.encemail = optional_string(reader, *object, "link", "encemail");
  if (reader.ok() && object->contains("inviterId")) link.inviter_id = reader.uuid(*object, "link", "inviterId");
  const auto type = any_type(reader, *object, "link", "employeeType");
  // "All" is how a link without a type travels: no link is signed for it.
  link.type = type == EmployeeType::All ? std::nullopt : type;
  if (reader.ok() && !link.email && !link.encemail) reader.fail("link", "needs email or encemail");
  return link;
}

bool boolean(Reader& reader, const json& parent, std::string_view key) {
  const json* value = reader.field(parent, "", key);
  if (value == nullptr) return false;
  if (!value->is_boolean()) {
    reader.fail(key, "must be a boolean");
    return false;
  }
  return value->get<bool>();
}

std::vector<std::string> uuids(Reader& reader, const json& parent, std::string_view key) {
  std::vector<std::string> out;
  const json* value = reader.field(parent, "", key);
  if (value == nullptr) return out;
  if (!value->is_array()) {
    reader.fail(key, "must be an array");
    return out;
  }
  for (std::size_t i = 0; reader.ok() && i < value->size(); ++i) {
    const json& item = (*value)[i];
    const std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    if (!item.is_string() || !common::is_uuid(item.get<std::string>())) {
      reader.fail(path, "not a uuid");
      break;
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

void write_filter(JsonWriter& out, const domain::PeopleFilter& filter) {
  out.begin_object("filter");
  if (filter.status) out.member("employeeStatus", static_cast<int>(*filter.status));
  if (filter.activation) out.member("activationStatus", static_cast<int>(*filter.activation));
  if (filter.type) out.member("employeeType", to_string(*filter.type));
  if (filter.text) out.member("filterValue", *filter.text);
  if (filter.inviter_id) out.member("inviterId", *filter.inviter_id);
  if (filter.invited_by_me) out.member("invitedByMe", true);
  out.end_object();
}

domain::PeopleFilter decode_filter(Reader& reader, const json& object) {
  domain::PeopleFilter filter;
  if (reader.ok() && object.contains("employeeStatus")) {
    filter.status = reader.employee_status(object, "filter", "employeeStatus");
  }
  if (reader.ok() && object.contains("activationStatus")) {
    filter.activation = reader.activation_status(object, "filter", "activationStatus");
  }
  if (reader.ok() && object.contains("employeeType")) filter.type = reader.type(object, "filter", "employeeType");
  filter.text = optional_string(reader, object, "filter", "filterValue");
  if (reader.ok() && object.contains("inviterId")) filter.inviter_id = reader.uuid(object, "filter", "inviterId");
  if (reader.ok() && object.contains("invitedByMe")) {
    const json& value = object["invitedByMe"];
    if (!value.is_boolean() || !value.get<bool>()) reader.fail("filter.invitedByMe", "must be true when present");
    filter.invited_by_me = true;
  }
  return filter;
}

void write_caller(JsonWriter& out, const PeopleCommand& command) {
  out.begin_object("caller");
  out.member("userId", command.caller_id);
  out.member("role", to_string(command.caller_role));
  out.end_object();
}

void write_user_ids(JsonWriter& out, const PeopleCommand& command) {
  out.begin_array("userIds");
  for (const auto& id : command.user_ids) out.value(id);
  out.end_array();
}

void decode_caller(Reader& reader, const json& doc, PeopleCommand& command) {
  if (const json* caller = reader.object(doc, "", "caller")) {
    command.caller_id = reader.uuid(*caller, "caller", "userId");
    command.caller_role = reader.role(*caller, "caller", "role");
  }
}

}  // namespace

std::string encode_command(const PeopleCommand& command) {
  JsonWriter out;
  begin_envelope(out, command);
  out.member("deadline", common::Rfc3339(command.deadline_ms));
  out.member("portal", command.portal);
  out.member("replyPartition", command.reply_partition);
  out.member("command", to_string(command.kind));
  switch (command.kind) {
    case CommandKind::Confirm:
      write_link(out, command.link);
      break;
    case CommandKind::Accept:
      write_link(out, command.link);
      out.begin_object("body");
      out.member("email", command.body_email);
      out.member("type", to_string(command.body_type));
      out.member("key", command.body_key);
      out.end_object();
      out.member("firstName", command.first_name);
      out.member("lastName", command.last_name);
      out.member("passwordHash", command.password_hash);
      if (!command.culture.empty()) out.member("culture", command.culture);
      out.member("spam", command.spam);
      break;
    case CommandKind::Resend:
      write_caller(out, command);
      write_user_ids(out, command);
      out.member("resendAll", command.resend_all);
      break;
    case CommandKind::List:
      write_caller(out, command);
      write_filter(out, command.query.filter);
      out.member("startIndex", command.query.start_index);
      out.member("count", command.query.count);
      out.member("sortBy", sort_by_name(command.query.sort_by));
      out.member("sortOrder", sort_order_name(command.query.sort_order));
      break;
    case CommandKind::Disable:
    case CommandKind::Delete:
      write_caller(out, command);
      write_user_ids(out, command);
      break;
  }
  out.end_object();
  return out.text();
}

namespace {

common::Result<PeopleCommand> read_command(const json& doc, Reader& reader) {
  PeopleCommand command;
  read_envelope_head(doc, reader, command);
  command.deadline_ms = reader.time(doc, "", "deadline");
  command.portal = reader.checked(
      doc, "", "portal", [](std::string_view p) { return !p.empty(); }, "must not be empty");
  command.reply_partition = static_cast<int>(reader.integer(doc, "", "replyPartition", 0, kIntMax));
  const auto kind_name = reader.string(doc, "", "command");
  if (reader.ok()) {
    const auto kind = kind_from_name(kind_name);
    if (!kind) reader.fail("command", "unknown command '" + kind_name + "'");
    command.kind = kind.value_or(CommandKind::Confirm);
  }
  if (!reader.ok()) return common::fail(reader.error());

  switch (command.kind) {
    case CommandKind::Confirm:
      command.link = decode_link(reader, doc);
      break;
    case CommandKind::Accept: {
      command.link = decode_link(reader, doc);
      if (const json* body = reader.object(doc, "", "body")) {
        command.body_email = reader.string(*body, "body", "email");
        command.body_type = any_type(reader, *body, "body", "type").value_or(EmployeeType::All);
        command.body_key = reader.string(*body, "body", "key");
      }
      command.first_name = reader.string(doc, "", "firstName");
      command.last_name = reader.string(doc, "", "lastName");
      // The worker stores it as it is, so it must be what the gateway makes: an Argon2id PHC string.
      command.password_hash = reader.checked(
          doc, "", "passwordHash", [](std::string_view h) { return h.rfind("$argon2id$", 0) == 0; },
          "not an Argon2id hash");
      if (reader.ok() && doc.contains("culture")) {
        command.culture =
            reader.checked(doc, "", "culture", domain::is_valid_culture, "not a culture like en or en-US");
      }
      command.spam = boolean(reader, doc, "spam");
      break;
    }
    case CommandKind::Resend:
      decode_caller(reader, doc, command);
      command.user_ids = uuids(reader, doc, "userIds");
      command.resend_all = boolean(reader, doc, "resendAll");
      break;
    case CommandKind::List: {
      decode_caller(reader, doc, command);
      if (const json* filter = reader.object(doc, "", "filter")) command.query.filter = decode_filter(reader, *filter);
      command.query.start_index = static_cast<std::size_t>(reader.integer(doc, "", "startIndex", 0, kIntMax));
      command.query.count = static_cast<std::size_t>(
          reader.integer(doc, "", "count", 1, static_cast<std::int64_t>(domain::kMaxPageSize)));
      const auto sort_by = reader.string(doc, "", "sortBy");
      if (reader.ok()) {
        const auto parsed = sort_by_from_name(sort_by);
        if (!parsed) reader.fail("sortBy", "unknown sort key '" + sort_by + "'");
        command.query.sort_by = parsed.value_or(SortBy::DisplayName);
      }
      const auto order = reader.string(doc, "", "sortOrder");
      if (reader.ok() && order != "ascending" && order != "descending") {
        reader.fail("sortOrder", "must be ascending or descending");
      }
      command.query.sort_order = order == "descending" ? SortOrder::Descending : SortOrder::Ascending;
      break;
    }
    case CommandKind::Disable:
    case CommandKind::Delete:
      decode_caller(reader, doc, command);
      command.user_ids = uuids(reader, doc, "userIds");
      break;
  }
  if (!reader.ok()) return common::fail(reader.error());
  return command;
}

}  // namespace

common::Result<PeopleCommand> decode_command(std::string_view json_text) {
  Reader reader;
  const auto document = parse_document(json_text, reader);
  if (!document) return common::fail(reader.error());
  return read_command(*document, reader);
}

// Without a tree for an invitation, nearly every record (requested_decoder.hpp). A command, rare, stops that
// decoder at its top-level "command" member and is decoded with a tree from the start.
common::Result<RequestRecord> decode_request_record(std::string_view json_text) {
  auto invitation = decode_requested_value(json_text, CommandMember::Stop);
  if (!invitation) {
    auto command = decode_command(json_text);
    if (!command) return command.error();
    return RequestRecord(std::move(*command));
  }
  if (!*invitation) return invitation->error();
  return RequestRecord(std::move(**invitation));
}

// ---- people.user-activated.v1, people.user-disabled.v1, people.user-deleted.v1 ----

namespace {

enum class Change { Activated, Disabled, Deleted };

std::string encode_change(const UserChanged& event, Change change) {
  JsonWriter out;
  begin_envelope(out, event);
  out.member("portal", event.portal);
  write_event_user(out, event.user);
  if (change == Change::Activated) {
    out.member("activatedAt", common::Rfc3339(event.activated_at_ms));
  } else {
    out.begin_object("by");
    out.member("userId", event.by_id);
    out.member("role", to_string(event.by_role));
    out.end_object();
  }
  out.end_object();
  return out.text();
}

common::Result<UserChanged> decode_change(std::string_view json_text, Change change) {
  Reader reader;
  const auto document = parse_document(json_text, reader);
  if (!document) return common::fail(reader.error());
  const json& doc = *document;

  UserChanged event;
  read_envelope_head(doc, reader, event);
  event.portal = reader.string(doc, "", "portal");
  if (const json* user = reader.object(doc, "", "user")) {
    event.user.id = reader.uuid(*user, "user", "id");
    event.user.portal = event.portal;
    event.user.email = reader.string(*user, "user", "email");
    event.user.type = reader.type(*user, "user", "type");
    event.user.activation_status = reader.activation_status(*user, "user", "activationStatus");
    event.user.status = reader.employee_status(*user, "user", "status");
    event.user.culture = reader.string(*user, "user", "culture");
  }
  if (change == Change::Activated) {
    event.activated_at_ms = reader.time(doc, "", "activatedAt");
  } else if (const json* by = reader.object(doc, "", "by")) {
    event.by_id = reader.uuid(*by, "by", "userId");
    event.by_role = reader.role(*by, "by", "role");
  }
  if (!reader.ok()) return common::fail(reader.error());
  return event;
}

}  // namespace

std::string encode_user_activated(const UserChanged& event) { return encode_change(event, Change::Activated); }
std::string encode_user_disabled(const UserChanged& event) { return encode_change(event, Change::Disabled); }
std::string encode_user_deleted(const UserChanged& event) { return encode_change(event, Change::Deleted); }
common::Result<UserChanged> decode_user_activated(std::string_view json_text) {
  return decode_change(json_text, Change::Activated);
}
common::Result<UserChanged> decode_user_disabled(std::string_view json_text) {
  return decode_change(json_text, Change::Disabled);
}
common::Result<UserChanged> decode_user_deleted(std::string_view json_text) {
  return decode_change(json_text, Change::Deleted);
}

}  // namespace invite::events
