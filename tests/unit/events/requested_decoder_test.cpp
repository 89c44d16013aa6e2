// invite.requested.v1 is decoded from SAX events without a tree (libs/events/src/requested_decoder.cpp). These
// tables pin, case by case, what the tree-based decoder it replaced answered: the decoded event or the exact error,
// which names the first defect in the schema's order whatever the order of the members in the text.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "invite/events/commands.hpp"
#include "invite/events/events.hpp"

namespace invite::events {
namespace {

using domain::Role;

constexpr const char* kEventId = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
constexpr const char* kRequestId = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02";
constexpr const char* kInviterId = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03";

// The members of a valid value, each with its raw JSON text, so that a case can drop, replace, repeat or reorder
// them, which an nlohmann tree cannot express (it has no duplicates and sorts its keys).
using Members = std::vector<std::pair<std::string, std::string>>;

Members valid_members() {
  return {
      {"schemaVersion", "1"},
      {"eventId", std::string("\"") + kEventId + "\""},
      {"occurredAt", "\"2026-11-26T11:00:00.123Z\""},
      {"requestId", std::string("\"") + kRequestId + "\""},
      {"index", "1"},
      {"count", "3"},
      {"deadline", "\"2026-11-26T11:00:10Z\""},
      {"portal", "\"docspace.example.com\""},
      {"inviter", std::string(R"({"userId":")") + kInviterId + R"(","role":"DocSpaceAdmin"})"},
      {"culture", "\"de-DE\""},
      {"invitation", R"({"email":"Anna.Smith@Example.com","type":"RoomAdmin"})"},
      {"replyPartition", "7"},
  };
}

RequestedInvitation expected_event() {
  RequestedInvitation event;
  event.event_id = kEventId;
  event.occurred_at_ms = 1795690800123;
  event.request_id = kRequestId;
  event.index = 1;
  event.count = 3;
  event.deadline_ms = 1795690810000;
  event.portal = "docspace.example.com";
  event.inviter_id = kInviterId;
  event.inviter_role = Role::DocSpaceAdmin;
  event.culture = "de-DE";
  event.invitation = Invitation{"Anna.Smith@Example.com", EmployeeType::RoomAdmin};
  event.reply_partition = 7;
  return event;
}

std::string text_of(const Members& members) {
  std::string text = "{";
  for (const auto& [name, value] : members) {
    if (text.size() > 1) text += ',';
    text += '"' + name + "\":" + value;
  }
  return text + "}";
}

// The valid value with one member's value replaced; a nested one is named parent.member.
std::string with(const std::string& path, const std::string& value) {
  auto members = valid_members();
  const auto dot = path.find('.');
  for (auto& [name, raw] : members) {
    if (dot == std::string::npos && name == path) raw = value;
    if (dot != std::string::npos && name == path.substr(0, dot)) {
      const std::string key = "\"" + path.substr(dot + 1) + "\":";
      const auto at = raw.find(key) + key.size();
      const auto end = raw.find_first_of(",}", at);
      raw = raw.substr(0, at) + value + raw.substr(end);
    }
  }
  return text_of(members);
}

// The valid value without one member; a nested one is named parent.member.
std::string without(const std::string& path) {
  auto members = valid_members();
  const auto dot = path.find('.');
  if (dot == std::string::npos) {
    std::erase_if(members, [&](const auto& member) { return member.first == path; });
    return text_of(members);
  }
  const auto parent = path.substr(0, dot);
  const auto child = path.substr(dot + 1);
  for (auto& [name, raw] : members) {
    if (name != parent) continue;
    // The nested objects hold two members: keep the other one.
    const std::string first_key = "{\"" + child + "\":";
    if (raw.rfind(first_key, 0) == 0) {
      raw = "{" + raw.substr(raw.find(',') + 1);
    } else {
      raw = raw.substr(0, raw.find(',')) + "}";
    }
  }
  return text_of(members);
}

std::string error_of(std::string_view text) {
  const auto decoded = decode_requested(text);
  if (decoded) return "decoded";
  return decoded.error().message;
}

RequestedInvitation decoded(std::string_view text) {
  auto result = decode_requested(text);
  if (!result) {
    ADD_FAILURE() << text << ": " << result.error().message;
    return {};
  }
  return *result;
}

TEST(RequestedDecoder, DecodesTheValidValue) {
  EXPECT_EQ(decoded(text_of(valid_members())), expected_event());
  // The members in another order, with spaces around them.
  auto members = valid_members();
  std::reverse(members.begin(), members.end());
  auto text = " \n" + text_of(members) + "\t\r\n ";
  EXPECT_EQ(decoded(text), expected_event());
}

TEST(RequestedDecoder, NamesEachMissingMember) {
  for (const std::string path : {"schemaVersion", "eventId", "occurredAt", "requestId", "index", "count", "deadline",
                                 "portal", "inviter", "inviter.userId", "inviter.role", "culture", "invitation",
                                 "invitation.email", "invitation.type", "replyPartition"}) {
    EXPECT_EQ(error_of(without(path)), path + ": missing") << without(path);
  }
}

TEST(RequestedDecoder, NamesEachWronglyTypedMember) {
  enum class Type { String, Integer, Object };
  const std::vector<std::pair<std::string, Type>> fields = {
      {"schemaVersion", Type::Integer},  {"eventId", Type::String},          {"occurredAt", Type::String},
      {"requestId", Type::String},       {"index", Type::Integer},           {"count", Type::Integer},
      {"deadline", Type::String},        {"portal", Type::String},           {"inviter", Type::Object},
      {"inviter.userId", Type::String},  {"inviter.role", Type::String},     {"culture", Type::String},
      {"invitation", Type::Object},      {"invitation.email", Type::String}, {"invitation.type", Type::String},
      {"replyPartition", Type::Integer},
  };
  for (const auto& [path, type] : fields) {
    for (const std::string value : {"\"1\"", "1", "-1", "1.5", "1.0", "1e2", "true", "false", "null", "[]", "[\"1\",1]",
                                    "{}", R"({"a":{"b":[1]}})"}) {
      const bool is_string = value.front() == '"';
      const bool is_integer = value == "1" || value == "-1";
      const bool is_object = value.front() == '{';
      std::string expected;
      if (type == Type::String && !is_string) expected = path + ": must be a string";
      if (type == Type::Integer && !is_integer) expected = path + ": must be an integer";
      if (type == Type::Object && !is_object) expected = path + ": must be an object";
      if (expected.empty()) continue;  // the right type: the value checks are pinned below
      EXPECT_EQ(error_of(with(path, value)), expected) << with(path, value);
    }
  }
}

TEST(RequestedDecoder, TellsIntegersFromFloatsAndHugeNumbers) {
  EXPECT_EQ(error_of(with("schemaVersion", "1.0")), "schemaVersion: must be an integer");
  EXPECT_EQ(error_of(with("count", "3.0")), "count: must be an integer");
  EXPECT_EQ(error_of(with("count", "3e0")), "count: must be an integer");
  EXPECT_EQ(error_of(with("index", "-1.0")), "index: must be an integer");
  // Above INT64_MAX: an unsigned in the tree, "out of range" rather than a type error.
  EXPECT_EQ(error_of(with("schemaVersion", "9223372036854775808")), "schemaVersion: out of range");
  EXPECT_EQ(error_of(with("count", "18446744073709551615")), "count: out of range");
  EXPECT_EQ(error_of(with("index", "9223372036854775808")), "index: out of range");
  // Beyond what an unsigned holds: a float in the tree.
  EXPECT_EQ(error_of(with("count", "18446744073709551616")), "count: must be an integer");
  EXPECT_EQ(error_of(with("count", "-9223372036854775809")), "count: must be an integer");
  // Within int64 but not the field's range.
  EXPECT_EQ(error_of(with("schemaVersion", "9223372036854775807")),
            "schemaVersion: unsupported version 9223372036854775807 (expected 1)");
  EXPECT_EQ(error_of(with("schemaVersion", "-9223372036854775808")),
            "schemaVersion: unsupported version -9223372036854775808 (expected 1)");
  EXPECT_EQ(error_of(with("index", "2147483648")), "index: out of range");
  EXPECT_EQ(error_of(with("count", "2147483648")), "count: out of range");
  EXPECT_EQ(error_of(with("count", "0")), "count: must be at least 1");
  EXPECT_EQ(error_of(with("index", "3")), "index: must be less than count");
  EXPECT_EQ(error_of(with("replyPartition", "2147483648")), "replyPartition: out of range");
  EXPECT_EQ(error_of(with("replyPartition", "-1")), "replyPartition: out of range");
  auto event = expected_event();
  event.reply_partition = 2147483647;
  EXPECT_EQ(decoded(with("replyPartition", "2147483647")), event);
}

TEST(RequestedDecoder, ChecksTheValuesOfTheRightType) {
  EXPECT_EQ(error_of(with("schemaVersion", "2")), "schemaVersion: unsupported version 2 (expected 1)");
  EXPECT_EQ(error_of(with("eventId", "\"e-1\"")), "eventId: not a uuid");
  EXPECT_EQ(error_of(with("occurredAt", "\"yesterday\"")), "occurredAt: not an RFC 3339 date-time");
  EXPECT_EQ(error_of(with("requestId", "\"\"")), "requestId: not a uuid");
  EXPECT_EQ(error_of(with("deadline", "\"2026-13-01T00:00:00Z\"")), "deadline: not an RFC 3339 date-time");
  EXPECT_EQ(error_of(with("portal", "\"\"")), "portal: must not be empty");
  EXPECT_EQ(error_of(with("inviter.userId", "\"42\"")), "inviter.userId: not a uuid");
  EXPECT_EQ(error_of(with("inviter.role", "\"owner\"")), "inviter.role: unknown role 'owner'");
  EXPECT_EQ(error_of(with("culture", "\"some text\"")), "culture: not a culture like en or en-US");
  EXPECT_EQ(error_of(with("invitation.email", "\"not an email\"")), "invitation.email: not a valid e-mail");
  EXPECT_EQ(error_of(with("invitation.type", "\"All\"")), "invitation.type: unknown type 'All'");
  EXPECT_EQ(error_of(with("invitation.type", "\"roomadmin\"")), "invitation.type: unknown type 'roomadmin'");
  // Escapes are decoded before the checks, and a refused name is quoted decoded.
  EXPECT_EQ(error_of(with("inviter.role", R"("Gu\u0065st\n")")), "inviter.role: unknown role 'Guest\n'");
  auto event = expected_event();
  event.inviter_role = Role::Guest;
  EXPECT_EQ(decoded(with("inviter.role", R"("Gu\u0065st")")), event);
}

TEST(RequestedDecoder, ReportsTheFirstDefectInTheSchemasOrderNotTheTexts) {
  // replyPartition comes first in the text but last in the schema.
  auto members = valid_members();
  members.insert(members.begin(), {"replyPartition", "\"7\""});
  members.erase(members.end() - 1);
  members[2].second = "\"e-1\"";  // eventId
  EXPECT_EQ(error_of(text_of(members)), "eventId: not a uuid");
  // The version before anything else, even a member that is missing.
  EXPECT_EQ(error_of(R"({"portal":"","schemaVersion":"1"})"), "schemaVersion: must be an integer");
  EXPECT_EQ(error_of(R"({"portal":""})"), "schemaVersion: missing");
  EXPECT_EQ(error_of(R"({"schemaVersion":1})"), "eventId: missing");
  // Inside an object: inviter.userId before inviter.role, whatever their order.
  EXPECT_EQ(error_of(with("inviter", R"({"role":"nobody","userId":1})")), "inviter.userId: must be a string");
}

TEST(RequestedDecoder, RepeatedMembersCountWithTheirLastValue) {
  auto members = valid_members();
  members.emplace_back("portal", "\"other.example.com\"");
  auto event = expected_event();
  event.portal = "other.example.com";
  EXPECT_EQ(decoded(text_of(members)), event);

  members = valid_members();
  members.insert(members.begin(), {"portal", "5"});  // a wrong first value is forgotten
  EXPECT_EQ(decoded(text_of(members)), expected_event());

  members = valid_members();
  members.emplace_back("portal", "5");  // a wrong last value is what counts
  EXPECT_EQ(error_of(text_of(members)), "portal: must be a string");

  members = valid_members();
  members.emplace_back("schemaVersion", "2");
  EXPECT_EQ(error_of(text_of(members)), "schemaVersion: unsupported version 2 (expected 1)");

  members = valid_members();
  members.emplace_back("count", "2");
  members.emplace_back("index", "0");
  event = expected_event();
  event.index = 0;
  event.count = 2;
  EXPECT_EQ(decoded(text_of(members)), event);

  // Inside an object too.
  EXPECT_EQ(decoded(with("inviter",
                         std::string(R"({"role":"User","userId":")") + kInviterId + R"(","role":"DocSpaceAdmin"})")),
            expected_event());
}

TEST(RequestedDecoder, ARepeatedObjectReplacesTheEarlierOneWhole) {
  // The second inviter has no role: the first one's does not count.
  auto members = valid_members();
  members.emplace_back("inviter", std::string(R"({"userId":")") + kInviterId + "\"}");
  EXPECT_EQ(error_of(text_of(members)), "inviter.role: missing");

  members = valid_members();
  members.emplace_back("invitation", R"({"type":"User"})");
  EXPECT_EQ(error_of(text_of(members)), "invitation.email: missing");

  members = valid_members();
  members.emplace_back("invitation", R"({"email":"bob@example.com","type":"Guest"})");
  auto event = expected_event();
  event.invitation = Invitation{"bob@example.com", EmployeeType::Guest};
  EXPECT_EQ(decoded(text_of(members)), event);

  members = valid_members();
  members.emplace_back("inviter", "\"x\"");  // an object then a string
  EXPECT_EQ(error_of(text_of(members)), "inviter: must be an object");

  members = valid_members();
  members.insert(members.begin(), {"inviter", "[1]"});  // not an object, then the valid object
  members.insert(members.begin(), {"invitation", "{\"email\":1,\"type\":[]}"});
  EXPECT_EQ(decoded(text_of(members)), expected_event());
}

TEST(RequestedDecoder, IgnoresUnknownMembersAtAnyDepth) {
  auto members = valid_members();
  members.insert(members.begin(), {"future", R"({"portal":"","schemaVersion":2,"inviter":{"role":1}})"});
  members.emplace_back("list", R"([[[{"eventId":null}]],{"invitation":[]},"x",1,1.5,true,null])");
  members.emplace_back("empty", "{}");
  members.emplace_back("command", "\"resend\"");  // not a command to decode_requested: an unknown member
  for (auto& [name, raw] : members) {
    if (name == "inviter") raw.insert(1, R"("extra":{"userId":5,"role":[{"role":"x"}]},)");
    if (name == "invitation") raw.insert(raw.size() - 1, R"(,"extra":[{"email":null}],"more":{"type":{}})");
  }
  EXPECT_EQ(decoded(text_of(members)), expected_event()) << text_of(members);

  // Deep nesting in an unknown member is skipped like any other value.
  members = valid_members();
  members.emplace_back("deep", std::string(2000, '[') + std::string(2000, ']'));
  members.emplace_back("deeper", std::string(1000, '[') + "{\"a\":" + std::string(1000, '[') + "{}" +
                                     std::string(1000, ']') + "}" + std::string(1000, ']'));
  EXPECT_EQ(decoded(text_of(members)), expected_event());
}

TEST(RequestedDecoder, RefusesWhatIsNotOneJsonObject) {
  const std::string valid = text_of(valid_members());
  EXPECT_EQ(error_of(""), "$: not valid JSON");
  EXPECT_EQ(error_of("   "), "$: not valid JSON");
  EXPECT_EQ(error_of(valid.substr(0, valid.size() - 1)), "$: not valid JSON");
  EXPECT_EQ(error_of(valid + " x"), "$: not valid JSON");
  EXPECT_EQ(error_of(valid + "{}"), "$: not valid JSON");
  EXPECT_EQ(error_of(valid + ","), "$: not valid JSON");
  EXPECT_EQ(error_of(valid + std::string(1, '\0')), "$: not valid JSON");
  EXPECT_EQ(error_of(valid + std::string(1, '\0') + "garbage"), "$: not valid JSON");
  EXPECT_EQ(error_of(with("portal", std::string("\"a\0b\"", 5))), "$: not valid JSON");
  EXPECT_EQ(error_of(with("portal", "\"docspace\xff.example.com\"")), "$: not valid JSON");
  EXPECT_EQ(error_of(with("portal", "\"cut \xC3\"")), "$: not valid JSON");
  EXPECT_EQ(error_of(with("portal", "'single'")), "$: not valid JSON");
  EXPECT_EQ(error_of(with("count", "1e400")), "$: not valid JSON");  // a float overflow is a parse error
  EXPECT_EQ(error_of(with("count", "01")), "$: not valid JSON");
  EXPECT_EQ(error_of("{\"schemaVersion\":1,}"), "$: not valid JSON");
  EXPECT_EQ(error_of("{\"schemaVersion\":1 /* note */}"), "$: not valid JSON");  // no comments
  // Valid JSON, but not an object; an invalid one after a valid start is still invalid.
  for (const char* text : {"[]", "[1,{\"schemaVersion\":1}]", "\"text\"", "1", "-1.5", "null", "true"}) {
    EXPECT_EQ(error_of(text), "$: not a JSON object") << text;
  }
  EXPECT_EQ(error_of("[1,"), "$: not valid JSON");
  EXPECT_EQ(error_of("[1] 2"), "$: not valid JSON");
}

TEST(RequestedDecoder, ARecordWithACommandIsDecodedAsACommand) {
  PeopleCommand command;
  command.event_id = kEventId;
  command.occurred_at_ms = 1795690800123;
  command.request_id = kRequestId;
  command.deadline_ms = 1795690810000;
  command.portal = "docspace.example.com";
  command.reply_partition = 2;
  command.kind = CommandKind::Resend;
  command.caller_id = kInviterId;
  command.caller_role = Role::DocSpaceAdmin;
  command.user_ids = {kEventId};
  const std::string text = encode_command(command);
  const auto record = decode_request_record(text);
  ASSERT_TRUE(record) << record.error().message;
  ASSERT_TRUE(std::holds_alternative<PeopleCommand>(*record));
  EXPECT_EQ(std::get<PeopleCommand>(*record), command);

  // Its defects are the command's, not an invitation's, whatever comes after "command".
  const auto broken = [](std::string value, const std::string& from, const std::string& to) {
    value.replace(value.find(from), from.size(), to);
    return decode_request_record(value);
  };
  auto failed = broken(text, "\"schemaVersion\":1", "\"schemaVersion\":2");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "schemaVersion: unsupported version 2 (expected 1)");
  failed = broken(text, "\"replyPartition\":2", "\"replyPartition\":2.0");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "replyPartition: must be an integer");
  failed = broken(text, "\"resend\"", "\"resend\",\"userIds\":[1]} x");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "$: not valid JSON");
  failed = decode_request_record(text + std::string(1, '\0'));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "$: not valid JSON");
  // "command" first, before the version: still a command.
  failed = decode_request_record(R"({"command":"resend","schemaVersion":1})");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "eventId: missing");
  failed = decode_request_record(R"({"command":"nonsense","schemaVersion":7})");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "schemaVersion: unsupported version 7 (expected 1)");
}

TEST(RequestedDecoder, OnlyATopLevelCommandMakesACommand) {
  auto members = valid_members();
  members.emplace_back("extra", R"({"command":"resend"})");
  members.emplace_back("list", R"([{"command":"resend"}])");
  for (auto& [name, raw] : members) {
    if (name == "inviter") raw.insert(1, R"("command":"resend",)");
  }
  const auto record = decode_request_record(text_of(members));
  ASSERT_TRUE(record) << record.error().message;
  ASSERT_TRUE(std::holds_alternative<RequestedInvitation>(*record));
  EXPECT_EQ(std::get<RequestedInvitation>(*record), expected_event());

  // And an invitation's defects are reported as such by the record decoder too.
  const auto failed = decode_request_record(without("inviter.role"));
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().message, "inviter.role: missing");
  const auto invalid = decode_request_record("{\"schemaVersion\":1,");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().message, "$: not valid JSON");
  const auto not_object = decode_request_record("[{\"command\":\"resend\"}]");
  ASSERT_FALSE(not_object);
  EXPECT_EQ(not_object.error().message, "$: not a JSON object");
}

}  // namespace
}  // namespace invite::events
