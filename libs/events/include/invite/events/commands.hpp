#pragma once
// The invitation's later life on the wire (docs/lifecycle.md): the command records of invite.requested.v1 and the
// events the commands cause. A command is one record, key = portal, like one invitation of an invite request, so
// that the partition's single writer decides a portal's invites and commands in one order.
//
// {"schemaVersion":1,"eventId":..,"occurredAt":..,"requestId":..,"deadline":..,"portal":..,"replyPartition":p,
//  "command":"confirm", "link":{"key":..,"email":..,"encemail":..,"inviterId":..,"employeeType":"User"}}
// accept:  + "link", "body":{"email","type","key"}, "firstName", "lastName", "passwordHash", "culture"?, "spam"
// resend:  + "caller":{"userId","role"}, "userIds":[..], "resendAll":bool
// list:    + "caller", "filter":{..}, "startIndex", "count", "sortBy", "sortOrder"
// disable, delete: + "caller", "userIds"
// proto/events/invite.requested.v1.schema.json has the whole contract.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "invite/common/result.hpp"
#include "invite/domain/lifecycle.hpp"
#include "invite/domain/people_query.hpp"
#include "invite/domain/types.hpp"
#include "invite/events/events.hpp"

namespace invite::events {

// One command; which fields count depends on `kind` (the comment of each says for which).
struct PeopleCommand {
  std::string event_id;
  std::int64_t occurred_at_ms = 0;
  std::string request_id;
  std::int64_t deadline_ms = 0;
  std::string portal;
  int reply_partition = 0;
  CommandKind kind = CommandKind::Confirm;

  // confirm, accept: the link's values. A missing type travels as "All", which no link is signed for.
  domain::LinkValues link;
  // accept: the body's copies of the signed values, the person's names, the gateway's Argon2id hash of the
  // password (never the password), the body's cultureName (empty: keep the invitation's) and consent to news.
  std::string body_email;
  domain::EmployeeType body_type = domain::EmployeeType::User;
  std::string body_key;
  std::string first_name;
  std::string last_name;
  std::string password_hash;
  std::string culture;
  bool spam = false;
  // resend, list, disable, delete: the authenticated caller.
  std::string caller_id;
  domain::Role caller_role = domain::Role::Guest;
  // resend, disable, delete: the targets in request order (resend ignores them with resend_all).
  std::vector<std::string> user_ids;
  bool resend_all = false;
  // list
  domain::PeopleQuery query;

  bool operator==(const PeopleCommand&) const = default;
};

std::string encode_command(const PeopleCommand& command);
common::Result<PeopleCommand> decode_command(std::string_view json_text);

// What a record of invite.requested.v1 is: one invitation of an invite request, or a command. A value with a
// "command" property is a command; without, an invitation (the records producers wrote before commands existed).
using RequestRecord = std::variant<RequestedInvitation, PeopleCommand>;
common::Result<RequestRecord> decode_request_record(std::string_view json_text);

// people.user-activated.v1, people.user-disabled.v1, people.user-deleted.v1, key = portal:
// {"schemaVersion":1,"eventId":..,"occurredAt":..,"requestId":..,"portal":..,
//  "user":{"id","email","type","activationStatus","status","culture"},
//  "activatedAt":..                       (activated)
//  "by":{"userId":..,"role":..}}          (disabled, deleted)
struct UserChanged {
  std::string event_id;
  std::int64_t occurred_at_ms = 0;
  std::string request_id;
  std::string portal;
  domain::User user;                 // id, email, type, statuses and culture travel; the rest is not part of the event
  std::int64_t activated_at_ms = 0;  // activated only
  std::string by_id;                 // disabled and deleted only
  domain::Role by_role = domain::Role::Owner;

  bool operator==(const UserChanged&) const = default;
};
std::string encode_user_activated(const UserChanged& event);
std::string encode_user_disabled(const UserChanged& event);
std::string encode_user_deleted(const UserChanged& event);
common::Result<UserChanged> decode_user_activated(std::string_view json_text);
common::Result<UserChanged> decode_user_disabled(std::string_view json_text);
common::Result<UserChanged> decode_user_deleted(std::string_view json_text);

}  // namespace invite::events
