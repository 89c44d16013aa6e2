#include "invite/events/commands.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <variant>

#include "schema_check.hpp"

namespace invite::events {
namespace {

using namespace invite::domain;

constexpr std::int64_t kOccurredAt = 1795690800123;  // 2026-11-26T11:00:00.123Z
constexpr std::int64_t kDeadline = 1795690810000;
constexpr const char* kEventId = "1b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
constexpr const char* kRequestId = "1b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02";
constexpr const char* kCallerId = "1b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03";
constexpr const char* kUserId = "1b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a04";
constexpr const char* kOtherId = "1b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a05";
constexpr const char* kHash = "$argon2id$v=19$m=65536,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA";

PeopleCommand envelope(CommandKind kind) {
  PeopleCommand command;
  command.event_id = kEventId;
  command.occurred_at_ms = kOccurredAt;
  command.request_id = kRequestId;
  command.deadline_ms = kDeadline;
  command.portal = "docspace.example.com";
  command.reply_partition = 2;
  command.kind = kind;
  return command;
}

LinkValues sample_link() {
  LinkValues link;
  link.key = "1795690800123.c2lnbmF0dXJl";
  link.email = "anna@example.com";
  link.encemail = "ZW5jcnlwdGVk";
  link.type = EmployeeType::User;
  link.inviter_id = kCallerId;
  return link;
}

PeopleCommand sample_confirm() {
  auto command = envelope(CommandKind::Confirm);
  command.link = sample_link();
  return command;
}

PeopleCommand sample_accept() {
  auto command = envelope(CommandKind::Accept);
  command.link = sample_link();
  command.body_email = "Anna@Example.com";
  command.body_type = EmployeeType::User;
  command.body_key = command.link.key;
  command.first_name = "Anna";
  command.last_name = "Smith";
  command.password_hash = kHash;
  command.culture = "de-DE";
  command.spam = true;
  return command;
}

PeopleCommand sample_resend() {
  auto command = envelope(CommandKind::Resend);
  command.caller_id = kCallerId;
  command.caller_role = Role::DocSpaceAdmin;
  command.user_ids = {kUserId, kOtherId};
  return command;
}

PeopleCommand sample_list() {
  auto command = envelope(CommandKind::List);
  command.caller_id = kCallerId;
  command.caller_role = Role::RoomAdmin;
  command.query.filter.status = EmployeeStatus::Pending;
  command.query.filter.activation = ActivationStatus::Pending;
  command.query.filter.type = EmployeeType::User;
  command.query.filter.text = "smith";
  command.query.filter.inviter_id = kCallerId;
  command.query.filter.invited_by_me = true;
  command.query.start_index = 20;
  command.query.count = 10;
  command.query.sort_by = SortBy::Created;
  command.query.sort_order = SortOrder::Descending;
  return command;
}

PeopleCommand sample_revoke(CommandKind kind) {
  auto command = envelope(kind);
  command.caller_id = kCallerId;
  command.caller_role = Role::Owner;
  command.user_ids = {kUserId};
  return command;
}

std::string edited(const std::string& text, const std::function<void(nlohmann::json&)>& edit) {
  auto document = nlohmann::json::parse(text);
  edit(document);
  return document.dump();
}

PeopleCommand round_trip(const PeopleCommand& command) {
  const auto decoded = decode_command(encode_command(command));
  EXPECT_TRUE(decoded) << (decoded ? "" : decoded.error().message);
  return decoded ? *decoded : PeopleCommand{};
}

std::string error_of(const std::string& text) {
  const auto decoded = decode_command(text);
  return decoded ? "" : decoded.error().message;
}

TEST(CommandCodec, EveryCommandComesBackAsItWasSent) {
  for (const auto& command : {sample_confirm(), sample_accept(), sample_resend(), sample_list(),
                              sample_revoke(CommandKind::Disable), sample_revoke(CommandKind::Delete)}) {
    EXPECT_EQ(round_trip(command), command) << encode_command(command);
  }
}

TEST(CommandCodec, ALinkWithoutATypeTravelsAsAllAndComesBackWithout) {
  auto command = sample_confirm();
  command.link.type.reset();
  EXPECT_NE(encode_command(command).find(R"("employeeType":"All")"), std::string::npos);
  EXPECT_EQ(round_trip(command), command);
}

TEST(CommandCodec, AnAcceptWithoutCultureKeepsTheInvitations) {
  auto command = sample_accept();
  command.culture.clear();
  EXPECT_EQ(encode_command(command).find("culture"), std::string::npos);
  EXPECT_EQ(round_trip(command), command);
}

TEST(CommandCodec, OnlyTheGatewaysArgon2idHashIsAccepted) {
  const auto text = encode_command(sample_accept());
  EXPECT_EQ(error_of(edited(text, [](auto& d) { d["passwordHash"] = "hunter22"; })),
            "passwordHash: not an Argon2id hash");
}

TEST(CommandCodec, ALinkNeedsAnEmailOrAnEncryptedOne) {
  const auto text = encode_command(sample_confirm());
  EXPECT_EQ(error_of(edited(text,
                            [](auto& d) {
                              d["link"].erase("email");
                              d["link"].erase("encemail");
                            })),
            "link: needs email or encemail");
}

TEST(CommandCodec, UnknownCommandsAreNamed) {
  const auto text = encode_command(sample_confirm());
  EXPECT_EQ(error_of(edited(text, [](auto& d) { d["command"] = "promote"; })), "command: unknown command 'promote'");
}

TEST(CommandCodec, TargetsMustBeUuids) {
  const auto text = encode_command(sample_resend());
  EXPECT_EQ(error_of(edited(text, [](auto& d) { d["userIds"][1] = "bob"; })), "userIds[1]: not a uuid");
}

TEST(CommandCodec, APageIsAtMostAHundredUsers) {
  const auto text = encode_command(sample_list());
  EXPECT_EQ(error_of(edited(text, [](auto& d) { d["count"] = 101; })), "count: out of range");
  EXPECT_EQ(error_of(edited(text, [](auto& d) { d["sortBy"] = "salary"; })), "sortBy: unknown sort key 'salary'");
}

TEST(RequestRecord, AValueWithoutCommandIsAnInvitation) {
  RequestedInvitation invitation;
  invitation.event_id = kEventId;
  invitation.occurred_at_ms = kOccurredAt;
  invitation.request_id = kRequestId;
  invitation.index = 0;
  invitation.count = 1;
  invitation.deadline_ms = kDeadline;
  invitation.portal = "docspace.example.com";
  invitation.inviter_id = kCallerId;
  invitation.culture = "en-US";
  invitation.invitation = Invitation{"bob@example.com", EmployeeType::User};
  const auto record = decode_request_record(encode_requested(invitation));
  ASSERT_TRUE(record) << record.error().message;
  ASSERT_TRUE(std::holds_alternative<RequestedInvitation>(*record));
  EXPECT_EQ(std::get<RequestedInvitation>(*record), invitation);
}

TEST(RequestRecord, AValueWithCommandIsACommand) {
  const auto record = decode_request_record(encode_command(sample_resend()));
  ASSERT_TRUE(record) << record.error().message;
  ASSERT_TRUE(std::holds_alternative<PeopleCommand>(*record));
  EXPECT_EQ(std::get<PeopleCommand>(*record), sample_resend());
}

TEST(RequestRecord, ACommandsDefectIsReportedAsTheCommands) {
  const auto record =
      decode_request_record(edited(encode_command(sample_resend()), [](auto& d) { d.erase("caller"); }));
  ASSERT_FALSE(record);
  EXPECT_EQ(record.error().message, "caller: missing");
}

// ---- replies to commands ----

InviteReply command_reply(CommandKind kind, Outcome outcome) {
  InviteReply reply;
  reply.event_id = kEventId;
  reply.occurred_at_ms = kOccurredAt;
  reply.request_id = kRequestId;
  reply.portal = "docspace.example.com";
  reply.outcome = outcome;
  reply.command = kind;
  return reply;
}

User pending_user() {
  User user;
  user.id = kUserId;
  user.portal = "docspace.example.com";
  user.email = "anna@example.com";
  user.user_name = "anna";
  user.type = EmployeeType::User;
  user.culture = "en-US";
  user.created_by = kCallerId;
  user.created_at_ms = kOccurredAt;
  return user;
}

InviteReply sample_list_reply() {
  auto reply = command_reply(CommandKind::List, Outcome::Ok);
  reply.users.push_back(pending_user());
  InvitationState state;
  state.sent_at_ms = kOccurredAt;
  state.times_resent = 2;
  state.inviter_id = kCallerId;
  state.delivery = Delivery{DeliveryStatus::Failed, "550 5.1.1 no such user", kOccurredAt + 5000};
  reply.invitations[kUserId] = state;
  reply.total = 41;
  return reply;
}

InviteReply sample_confirm_reply() {
  auto reply = command_reply(CommandKind::Confirm, Outcome::Ok);
  reply.validation = ConfirmOutcome{ValidationResult::Ok, "anna@example.com"};
  return reply;
}

InviteReply sample_rate_limited_reply() {
  auto reply = command_reply(CommandKind::Resend, Outcome::RateLimited);
  reply.retry_after_seconds = 120;
  return reply;
}

InviteReply reply_round_trip(const InviteReply& reply) {
  const auto decoded = decode_reply(encode_reply(reply));
  EXPECT_TRUE(decoded) << (decoded ? "" : decoded.error().message);
  return decoded ? *decoded : InviteReply{};
}

TEST(CommandReplies, AListingCarriesItsTotalAndEachPendingUsersInvitation) {
  EXPECT_EQ(reply_round_trip(sample_list_reply()), sample_list_reply());
}

TEST(CommandReplies, AConfirmCarriesTheCheckAndTheEmailOnlyWhenOk) {
  EXPECT_EQ(reply_round_trip(sample_confirm_reply()), sample_confirm_reply());
  auto expired = command_reply(CommandKind::Confirm, Outcome::Ok);
  expired.validation = ConfirmOutcome{ValidationResult::Expired, ""};
  EXPECT_EQ(encode_reply(expired).find("email"), std::string::npos);
  EXPECT_EQ(reply_round_trip(expired), expired);
}

TEST(CommandReplies, ARefusalCarriesNoMessageButItsWait) {
  const auto text = encode_reply(sample_rate_limited_reply());
  EXPECT_EQ(text.find("message"), std::string::npos);
  EXPECT_EQ(reply_round_trip(sample_rate_limited_reply()), sample_rate_limited_reply());
  const auto mismatch = command_reply(CommandKind::Accept, Outcome::LinkMismatch);
  EXPECT_EQ(reply_round_trip(mismatch), mismatch);
}

// ---- the lifecycle's events ----

UserChanged sample_change() {
  UserChanged event;
  event.event_id = kEventId;
  event.occurred_at_ms = kOccurredAt;
  event.request_id = kRequestId;
  event.portal = "docspace.example.com";
  event.user.id = kUserId;
  event.user.portal = event.portal;
  event.user.email = "anna@example.com";
  event.user.type = EmployeeType::User;
  event.user.activation_status = ActivationStatus::Activated;
  event.user.status = EmployeeStatus::Active;
  event.user.culture = "en-US";
  return event;
}

TEST(UserChanges, ActivationCarriesItsTime) {
  auto event = sample_change();
  event.activated_at_ms = kOccurredAt;
  const auto decoded = decode_user_activated(encode_user_activated(event));
  ASSERT_TRUE(decoded) << decoded.error().message;
  EXPECT_EQ(*decoded, event);
}

TEST(UserChanges, DisablingAndDeletingCarryWhoDidIt) {
  auto event = sample_change();
  event.user.status = EmployeeStatus::Terminated;
  event.by_id = kCallerId;
  event.by_role = Role::DocSpaceAdmin;
  const auto disabled = decode_user_disabled(encode_user_disabled(event));
  ASSERT_TRUE(disabled) << disabled.error().message;
  EXPECT_EQ(*disabled, event);
  const auto deleted = decode_user_deleted(encode_user_deleted(event));
  ASSERT_TRUE(deleted) << deleted.error().message;
  EXPECT_EQ(*deleted, event);
}

// ---- against proto/events ----

class CommandSchemas : public EventSchemas {};

TEST_F(CommandSchemas, EveryCommandValidatesAsARecordOfInviteRequested) {
  std::vector<std::filesystem::path> files;
  int n = 0;
  for (const auto& command : {sample_confirm(), sample_accept(), sample_resend(), sample_list(),
                              sample_revoke(CommandKind::Disable), sample_revoke(CommandKind::Delete)}) {
    files.push_back(write("invite.requested.v1." + std::to_string(n++) + ".json", encode_command(command)));
  }
  EXPECT_EQ(check(files), 0) << output_;
}

TEST_F(CommandSchemas, RepliesEventsAndResentJobsValidate) {
  auto accepted = command_reply(CommandKind::Accept, Outcome::Ok);
  auto user = pending_user();
  user.status = EmployeeStatus::Active;
  user.activation_status = ActivationStatus::Activated;
  accepted.users.push_back(user);
  std::vector<std::filesystem::path> files = {
      write("invite.replies.v1.list.json", encode_reply(sample_list_reply())),
      write("invite.replies.v1.confirm.json", encode_reply(sample_confirm_reply())),
      write("invite.replies.v1.limited.json", encode_reply(sample_rate_limited_reply())),
      write("invite.replies.v1.accepted.json", encode_reply(accepted)),
      write("invite.replies.v1.invalid.json", encode_reply(command_reply(CommandKind::Accept, Outcome::LinkInvalid))),
  };
  auto activated = sample_change();
  activated.activated_at_ms = kOccurredAt;
  files.push_back(write("people.user-activated.v1.json", encode_user_activated(activated)));
  auto disabled = sample_change();
  disabled.by_id = kCallerId;
  files.push_back(write("people.user-disabled.v1.json", encode_user_disabled(disabled)));
  files.push_back(write("people.user-deleted.v1.json", encode_user_deleted(disabled)));
  EmailJob job;
  job.event_id = kEventId;
  job.occurred_at_ms = kOccurredAt;
  job.request_id = kRequestId;
  job.portal = "docspace.example.com";
  job.portal_name = "Example";
  job.recipient_email = "anna@example.com";
  job.recipient_user_id = kUserId;
  job.culture = "en-US";
  job.inviter_id = kCallerId;
  job.confirmation_link = "https://docspace.example.com/confirm/LinkInvite?type=LinkInvite&key=1.x";
  job.expires_at_ms = kDeadline;
  job.resend = true;
  files.push_back(write("invite.emails.v1.resend.json", encode_email_job(job)));
  EXPECT_EQ(check(files), 0) << output_;
}

TEST_F(CommandSchemas, TheSchemaRefusesAPasswordInClear) {
  const auto text = edited(encode_command(sample_accept()), [](auto& d) { d["passwordHash"] = "correct horse"; });
  EXPECT_EQ(check({write("invite.requested.v1.clear.json", text)}), 1) << output_;
}

}  // namespace
}  // namespace invite::events
