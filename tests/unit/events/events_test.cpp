#include "invite/events/events.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "schema_check.hpp"

namespace invite::events {
namespace {

using namespace invite::domain;

// 2026-11-26T11:00:00.123Z and friends, computed independently of the code under test.
constexpr std::int64_t kOccurredAt = 1795690800123;
constexpr std::int64_t kDeadline = 1795690810000;
constexpr std::int64_t kMidnight = 1795737600000;
constexpr std::int64_t kExpires = 1796295600123;

constexpr const char* kEventId = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
constexpr const char* kRequestId = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02";
constexpr const char* kInviterId = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03";
constexpr const char* kUserId1 = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a04";
constexpr const char* kUserId2 = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a05";

RequestedInvitation sample_requested() {
  RequestedInvitation event;
  event.event_id = kEventId;
  event.occurred_at_ms = kOccurredAt;
  event.request_id = kRequestId;
  event.index = 1;
  event.count = 3;
  event.deadline_ms = kDeadline;
  event.portal = "docspace.example.com";
  event.inviter_id = kInviterId;
  event.inviter_role = Role::DocSpaceAdmin;
  event.culture = "de-DE";
  event.invitation = Invitation{"Anna.Smith@Example.com", EmployeeType::RoomAdmin};
  event.reply_partition = 7;
  return event;
}

User sample_user(const char* id, const char* email, EmployeeType type) {
  User user;
  user.id = id;
  user.portal = "docspace.example.com";
  user.email = email;
  user.user_name = std::string(email).substr(0, std::string(email).find('@'));
  user.type = type;
  user.activation_status = ActivationStatus::Pending;
  user.status = EmployeeStatus::Pending;
  user.culture = "en-US";
  user.created_by = kInviterId;
  user.created_at_ms = kOccurredAt;
  return user;
}

InviteReply sample_ok_reply() {
  InviteReply reply;
  reply.event_id = kEventId;
  reply.occurred_at_ms = kOccurredAt;
  reply.request_id = kRequestId;
  reply.portal = "docspace.example.com";
  reply.outcome = Outcome::Ok;
  reply.users.push_back(sample_user(kUserId1, "new@example.com", EmployeeType::User));
  User existing = sample_user(kUserId2, "old@example.com", EmployeeType::DocSpaceAdmin);
  existing.first_name = "Old";
  existing.last_name = "Timer";
  existing.user_name = "otimer";
  existing.activation_status = ActivationStatus::Activated;
  existing.status = EmployeeStatus::Active;
  existing.created_at_ms = 1600000000000;
  reply.users.push_back(existing);
  return reply;
}

InviteReply sample_budget_reply() {
  InviteReply reply;
  reply.event_id = kEventId;
  reply.occurred_at_ms = kOccurredAt;
  reply.request_id = kRequestId;
  reply.portal = "docspace.example.com";
  reply.outcome = Outcome::DailyBudgetExceeded;
  reply.message = "The daily invitation limit of the portal is reached.";
  reply.rate_limit = RateLimit{100, 3, kMidnight};
  return reply;
}

InviteReply sample_error_reply(Outcome outcome, std::string message) {
  InviteReply reply;
  reply.event_id = kEventId;
  reply.occurred_at_ms = kOccurredAt;
  reply.request_id = kRequestId;
  reply.portal = "docspace.example.com";
  reply.outcome = outcome;
  reply.message = std::move(message);
  return reply;
}

EmailJob sample_email_job() {
  EmailJob job;
  job.event_id = kEventId;
  job.occurred_at_ms = kOccurredAt;
  job.request_id = kRequestId;
  job.portal = "docspace.example.com";
  job.portal_name = "Example DocSpace";
  job.recipient_email = "new@example.com";
  job.recipient_user_id = kUserId1;
  job.culture = "fr-FR";
  job.inviter_id = kInviterId;
  job.subject = "Join Example DocSpace DocSpace";
  job.confirmation_link =
      "https://docspace.example.com/confirm/LinkInvite?type=LinkInvite&key=1795690800123.abc&encemail=x"
      "&uid=0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03&emplType=4&culture=fr-FR";
  job.expires_at_ms = kExpires;
  return job;
}

EmailStatus sample_email_status(DeliveryStatus status) {
  EmailStatus event;
  event.event_id = kEventId;
  event.occurred_at_ms = kOccurredAt;
  event.request_id = kRequestId;
  event.portal = "docspace.example.com";
  event.job_event_id = kUserId1;  // any uuid
  event.recipient_email = "new@example.com";
  event.recipient_user_id = kUserId1;
  event.status = status;
  event.attempt = status == DeliveryStatus::Sent ? 3 : 2;
  event.message_id = "<" + std::string(kUserId1) + "@docspace.example.com>";
  event.culture = "fr-FR";
  if (status != DeliveryStatus::Sent) event.reason = "450 mailbox busy";
  if (status != DeliveryStatus::Sent) event.smtp_code = 450;
  if (status == DeliveryStatus::Retrying) event.next_attempt_at_ms = kOccurredAt + 4000;
  return event;
}

UserInvited sample_user_invited() {
  UserInvited event;
  event.event_id = kEventId;
  event.occurred_at_ms = kOccurredAt;
  event.request_id = kRequestId;
  event.portal = "docspace.example.com";
  // Exactly what plan_request creates: the decoder restores the fields the event does not carry.
  event.user = sample_user(kUserId1, "new.person@example.com", EmployeeType::Guest);
  event.inviter_id = kInviterId;
  event.inviter_role = Role::Owner;
  return event;
}

template <typename T>
T must_decode(const common::Result<T>& decoded) {
  if (!decoded) {
    ADD_FAILURE() << "decode failed: " << decoded.error().message;
    return T{};
  }
  return *decoded;
}

template <typename T>
std::string decode_error(const common::Result<T>& decoded) {
  if (!decoded) return decoded.error().message;
  return "<decoded without error>";
}

// Re-encodes `text` after `edit` changes its JSON, so defects are injected into real encoder output.
template <typename Edit>
std::string edited(const std::string& text, Edit edit) {
  auto document = nlohmann::ordered_json::parse(text);
  edit(document);
  return document.dump();
}

// ---- exact bytes ----

TEST(EventsEncode, RequestedInvitationBytesAreCompactAndInDocumentedOrder) {
  const std::string expected =
      R"({"schemaVersion":1,"eventId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01","occurredAt":"2026-11-26T11:00:00.123Z",)"
      R"("requestId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02","index":1,"count":3,"deadline":"2026-11-26T11:00:10.000Z",)"
      R"("portal":"docspace.example.com","inviter":{"userId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03","role":"DocSpaceAdmin"},)"
      R"("culture":"de-DE","invitation":{"email":"Anna.Smith@Example.com","type":"RoomAdmin"},"replyPartition":7})";
  EXPECT_EQ(encode_requested(sample_requested()), expected);
}

// The three rows of every invitation, pinned byte for byte: the streaming writer must keep the documented key
// order and the compact form the tree-building encoders wrote.
TEST(EventsEncode, EmailJobBytesAreCompactAndInDocumentedOrder) {
  const std::string expected =
      R"({"schemaVersion":1,"eventId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01","occurredAt":"2026-11-26T11:00:00.123Z",)"
      R"("requestId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02","portal":"docspace.example.com",)"
      R"("portalName":"Example DocSpace","recipient":{"email":"new@example.com",)"
      R"("userId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a04"},"culture":"fr-FR",)"
      R"("inviter":{"userId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03"},"subject":"Join Example DocSpace DocSpace",)"
      R"("template":"invitation","confirmationLink":"https://docspace.example.com/confirm/LinkInvite?type=LinkInvite)"
      R"(&key=1795690800123.abc&encemail=x&uid=0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03&emplType=4&culture=fr-FR",)"
      R"("expiresAt":"2026-12-03T11:00:00.123Z"})";
  EXPECT_EQ(encode_email_job(sample_email_job()), expected);
  auto resend = sample_email_job();
  resend.resend = true;
  resend.subject.reset();
  const auto text = encode_email_job(resend);
  EXPECT_NE(text.find(R"("subject":"Join Example DocSpace DocSpace",)"), std::string::npos) << text;
  const std::string tail = R"(,"resend":true})";
  EXPECT_EQ(text.substr(text.size() - tail.size()), tail);
}

TEST(EventsEncode, UserInvitedBytesAreCompactAndInDocumentedOrder) {
  const std::string expected =
      R"({"schemaVersion":1,"eventId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01","occurredAt":"2026-11-26T11:00:00.123Z",)"
      R"("requestId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02","portal":"docspace.example.com",)"
      R"("user":{"id":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a04","email":"new.person@example.com","type":"Guest",)"
      R"("activationStatus":2,"status":4,"culture":"en-US"},)"
      R"("invitedBy":{"userId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03","role":"Owner"}})";
  EXPECT_EQ(encode_user_invited(sample_user_invited()), expected);
}

TEST(EventsEncode, ReplyBytesAreCompactAndInDocumentedOrder) {
  const std::string expected =
      R"({"schemaVersion":1,"eventId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01","occurredAt":"2026-11-26T11:00:00.123Z",)"
      R"("requestId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02","portal":"docspace.example.com","outcome":"ok",)"
      R"("users":[{"id":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a04","email":"new@example.com","firstName":"",)"
      R"("lastName":"","userName":"new","type":"User","activationStatus":2,"status":4,"culture":"en-US",)"
      R"("createdBy":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03","createdAt":"2026-11-26T11:00:00.123Z"},)"
      R"({"id":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a05","email":"old@example.com","firstName":"Old",)"
      R"("lastName":"Timer","userName":"otimer","type":"DocSpaceAdmin","activationStatus":1,"status":1,)"
      R"("culture":"en-US","createdBy":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a03","createdAt":"2020-09-13T12:26:40.000Z"}]})";
  EXPECT_EQ(encode_reply(sample_ok_reply()), expected);
  const std::string seats_expected =
      R"({"schemaVersion":1,"eventId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01","occurredAt":"2026-11-26T11:00:00.123Z",)"
      R"("requestId":"0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02","portal":"docspace.example.com",)"
      R"("outcome":"paid_seats_exceeded","paidSeats":{"needed":3,"free":2},)"
      R"("message":"The number of admins exceeds the limit: 3/2."})";
  auto seats = sample_error_reply(Outcome::PaidSeatsExceeded, "");
  seats.message.reset();  // worded by the encoder, as for older gateways
  seats.seats = SeatShortage{3, 2};
  EXPECT_EQ(encode_reply(seats), seats_expected);
}

TEST(EventsEncode, ReplyCarriesOnlyTheFieldsOfItsOutcome) {
  const auto ok = nlohmann::json::parse(encode_reply(sample_ok_reply()));
  EXPECT_FALSE(ok.contains("message"));
  EXPECT_FALSE(ok.contains("rateLimit"));
  ASSERT_EQ(ok.at("users").size(), 2U);
  EXPECT_EQ(ok.at("users")[0].at("type"), "User");
  EXPECT_EQ(ok.at("users")[0].at("activationStatus"), 2);
  EXPECT_EQ(ok.at("users")[0].at("status"), 4);
  EXPECT_EQ(ok.at("users")[1].at("createdAt"), "2020-09-13T12:26:40.000Z");

  const auto disabled =
      nlohmann::json::parse(encode_reply(sample_error_reply(Outcome::UserDisabled, "The user is disabled: a@b.com")));
  EXPECT_EQ(disabled.at("outcome"), "user_disabled");
  EXPECT_EQ(disabled.at("message"), "The user is disabled: a@b.com");
  EXPECT_FALSE(disabled.contains("users"));
  EXPECT_FALSE(disabled.contains("rateLimit"));

  const auto budget = nlohmann::json::parse(encode_reply(sample_budget_reply()));
  EXPECT_EQ(budget.at("rateLimit").dump(), R"({"limit":100,"remaining":3,"resetAt":"2026-11-27T00:00:00.000Z"})");
}

TEST(EventsEncode, OutcomeNames) {
  EXPECT_EQ(to_string(Outcome::Ok), "ok");
  EXPECT_EQ(to_string(Outcome::UserDisabled), "user_disabled");
  EXPECT_EQ(to_string(Outcome::PaidSeatsExceeded), "paid_seats_exceeded");
  EXPECT_EQ(to_string(Outcome::DailyBudgetExceeded), "daily_budget_exceeded");
}

// ---- round trips ----

TEST(EventsRoundTrip, RequestedInvitation) {
  const auto event = sample_requested();
  EXPECT_EQ(must_decode(decode_requested(encode_requested(event))), event);
}

TEST(EventsRoundTrip, RequestedInvitationEveryTypeAndRole) {
  for (auto type : {EmployeeType::RoomAdmin, EmployeeType::Guest, EmployeeType::DocSpaceAdmin, EmployeeType::User}) {
    for (auto role : {Role::Owner, Role::DocSpaceAdmin, Role::RoomAdmin, Role::User, Role::Guest}) {
      auto event = sample_requested();
      event.invitation.type = type;
      event.inviter_role = role;
      EXPECT_EQ(must_decode(decode_requested(encode_requested(event))), event)
          << to_string(type) << "/" << to_string(role);
    }
  }
}

TEST(EventsRoundTrip, ReplyOkWithUsers) {
  const auto reply = sample_ok_reply();
  EXPECT_EQ(must_decode(decode_reply(encode_reply(reply))), reply);
}

TEST(EventsRoundTrip, ReplyOkWithoutUsers) {
  auto reply = sample_ok_reply();
  reply.users.clear();
  EXPECT_EQ(must_decode(decode_reply(encode_reply(reply))), reply);
}

TEST(EventsRoundTrip, ReplyErrors) {
  for (const auto& reply :
       {sample_error_reply(Outcome::UserDisabled, "The user is disabled: X@y.com"),
        sample_error_reply(Outcome::PaidSeatsExceeded, "The number of admins exceeds the limit: 3/2."),
        sample_budget_reply()}) {
    EXPECT_EQ(must_decode(decode_reply(encode_reply(reply))), reply) << to_string(reply.outcome);
  }
}

TEST(EventsRoundTrip, EmailJob) {
  const auto job = sample_email_job();
  EXPECT_EQ(must_decode(decode_email_job(encode_email_job(job))), job);
}

TEST(EventsRoundTrip, EmailStatus) {
  for (auto status : {DeliveryStatus::Sent, DeliveryStatus::Retrying, DeliveryStatus::Failed}) {
    const auto event = sample_email_status(status);
    EXPECT_EQ(must_decode(decode_email_status(encode_email_status(event))), event) << to_string(status);
  }
}

TEST(EventsEncode, EmailStatusCarriesOnlyTheFieldsOfItsStatus) {
  const auto sent = nlohmann::json::parse(encode_email_status(sample_email_status(DeliveryStatus::Sent)));
  EXPECT_EQ(sent["status"], "sent");
  EXPECT_FALSE(sent.contains("reason"));
  EXPECT_FALSE(sent.contains("nextAttemptAt"));
  EXPECT_FALSE(sent.contains("smtpCode"));
  const auto retrying = nlohmann::json::parse(encode_email_status(sample_email_status(DeliveryStatus::Retrying)));
  EXPECT_EQ(retrying["nextAttemptAt"], "2026-11-26T11:00:04.123Z");
  EXPECT_EQ(retrying["smtpCode"], 450);
  const auto failed = nlohmann::json::parse(encode_email_status(sample_email_status(DeliveryStatus::Failed)));
  EXPECT_EQ(failed["reason"], "450 mailbox busy");
  EXPECT_FALSE(failed.contains("nextAttemptAt"));
}

TEST(EventsRoundTrip, UserInvited) {
  const auto event = sample_user_invited();
  EXPECT_EQ(must_decode(decode_user_invited(encode_user_invited(event))), event);
}

TEST(EventsRoundTrip, NonAsciiTextSurvives) {
  auto job = sample_email_job();
  job.portal_name = "Bureau d’études \xC3\xA9t\xC3\xA9";
  job.subject = "Join " + job.portal_name + " DocSpace";
  EXPECT_EQ(must_decode(decode_email_job(encode_email_job(job))), job);
}

// Names come from people (accept's firstName, the portals file's display name): any script, and control characters
// a client put there. RapidJSON writes non-ASCII as its UTF-8 bytes and escapes C0 controls; the decoders must read
// back exactly the text that was written.
const std::string kNonAsciiName =
    "Zo\xC3\xAB O\xE2\x80\x99"
    "Brien-\xE5\xB1\xB1\xE7\x94\xB0 \xF0\x9F\x98\x80 \xD0\x90\xD0\xBD\xD0\xBD\xD0\xB0";
const std::string kControlName =
    std::string("tab\tnew\nline\r\x01\x1f\x7f quote\" back\\ nul") + std::string(1, '\0') + "!";

TEST(EventsRoundTrip, NonAsciiAndControlCharactersInNames) {
  auto reply = sample_ok_reply();
  reply.users[0].first_name = kNonAsciiName;
  reply.users[0].last_name = kControlName;
  reply.users[1].first_name = kControlName;
  reply.users[1].last_name = kNonAsciiName;
  EXPECT_EQ(must_decode(decode_reply(encode_reply(reply))), reply);

  auto job = sample_email_job();
  job.portal_name = kNonAsciiName + kControlName;
  job.subject.reset();
  auto decoded = must_decode(decode_email_job(encode_email_job(job)));
  EXPECT_EQ(decoded.portal_name, job.portal_name);
  EXPECT_EQ(decoded.subject, "Join " + job.portal_name + " DocSpace");

  auto disabled = sample_error_reply(Outcome::UserDisabled, kNonAsciiName + kControlName);
  EXPECT_EQ(must_decode(decode_reply(encode_reply(disabled))), disabled);
}

TEST(EventsEncode, ControlCharactersAreEscapedAndNonAsciiIsNot) {
  auto job = sample_email_job();
  job.portal_name = kNonAsciiName + kControlName;
  const auto text = encode_email_job(job);
  for (const char c : text) EXPECT_GE(static_cast<unsigned char>(c), 0x20U) << "a raw control character in " << text;
  EXPECT_NE(text.find(R"("portalName":")" + kNonAsciiName + R"(tab\tnew\nline\r\u0001\u001F)" + "\x7f" +
                      R"( quote\" back\\ nul\u0000!")"),
            std::string::npos)
      << text;
}

TEST(EventsEncode, InvalidUtf8IsReplacedNotThrownNorWritten) {
  // Every value the worker writes was parsed as JSON (valid UTF-8), but an encoder must still never throw on a
  // producer path nor write a document its consumers cannot parse.
  auto event = sample_user_invited();
  event.user.culture = "en\xFF";
  auto reply = sample_ok_reply();
  reply.users[0].first_name = "cut \xC3";
  const auto decoded_event = must_decode(decode_user_invited(encode_user_invited(event)));
  EXPECT_EQ(decoded_event.user.culture, "en\xEF\xBF\xBD");
  const auto decoded_reply = must_decode(decode_reply(encode_reply(reply)));
  ASSERT_EQ(decoded_reply.users.size(), 2U);
  EXPECT_EQ(decoded_reply.users[0].first_name, "cut \xEF\xBF\xBD");
}

// ---- decode errors ----

TEST(EventsDecode, RejectsTextThatIsNotAJsonObject) {
  EXPECT_EQ(decode_error(decode_requested("")), "$: not valid JSON");
  EXPECT_EQ(decode_error(decode_requested("{\"schemaVersion\":1,")), "$: not valid JSON");
  EXPECT_EQ(decode_error(decode_reply("[1,2]")), "$: not a JSON object");
  EXPECT_EQ(decode_error(decode_email_job("\"text\"")), "$: not a JSON object");
  EXPECT_EQ(decode_error(decode_user_invited("null")), "$: not a JSON object");
}

TEST(EventsDecode, RejectsAValidEventFollowedByANulAndMore) {
  const std::string valid = encode_email_job(sample_email_job());
  ASSERT_TRUE(decode_email_job(valid).has_value());
  EXPECT_EQ(decode_error(decode_email_job(valid + std::string(1, '\0') + "garbage")), "$: not valid JSON");
  EXPECT_EQ(decode_error(decode_email_job(valid + std::string(1, '\0'))), "$: not valid JSON");
}

TEST(EventsDecode, RejectsMissingOrForeignSchemaVersion) {
  const auto text = encode_requested(sample_requested());
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d.erase("schemaVersion"); }))),
            "schemaVersion: missing");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["schemaVersion"] = 2; }))),
            "schemaVersion: unsupported version 2 (expected 1)");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["schemaVersion"] = "1"; }))),
            "schemaVersion: must be an integer");
  EXPECT_EQ(
      decode_error(decode_reply(edited(encode_reply(sample_ok_reply()), [](auto& d) { d["schemaVersion"] = 0; }))),
      "schemaVersion: unsupported version 0 (expected 1)");
  EXPECT_EQ(decode_error(decode_email_job(
                edited(encode_email_job(sample_email_job()), [](auto& d) { d["schemaVersion"] = 3; }))),
            "schemaVersion: unsupported version 3 (expected 1)");
  EXPECT_EQ(decode_error(decode_user_invited(
                edited(encode_user_invited(sample_user_invited()), [](auto& d) { d["schemaVersion"] = 1.0; }))),
            "schemaVersion: must be an integer");
}

TEST(EventsDecode, RequestedNamesTheMissingField) {
  const auto text = encode_requested(sample_requested());
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["invitation"].erase("email"); }))),
            "invitation.email: missing");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["inviter"].erase("role"); }))),
            "inviter.role: missing");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d.erase("requestId"); }))), "requestId: missing");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d.erase("deadline"); }))), "deadline: missing");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d.erase("replyPartition"); }))),
            "replyPartition: missing");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d.erase("invitation"); }))),
            "invitation: missing");
}

TEST(EventsDecode, RequestedNamesTheWronglyTypedField) {
  const auto text = encode_requested(sample_requested());
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["index"] = "1"; }))),
            "index: must be an integer");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["count"] = 2.5; }))),
            "count: must be an integer");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["inviter"]["userId"] = 42; }))),
            "inviter.userId: must be a string");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["invitation"] = "a@b.com"; }))),
            "invitation: must be an object");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["portal"] = nullptr; }))),
            "portal: must be a string");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["occurredAt"] = "yesterday"; }))),
            "occurredAt: not an RFC 3339 date-time");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["deadline"] = kDeadline; }))),
            "deadline: must be a string");
}

TEST(EventsDecode, RequestedRejectsUnknownTypesAndRoles) {
  const auto text = encode_requested(sample_requested());
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["invitation"]["type"] = "Admin"; }))),
            "invitation.type: unknown type 'Admin'");
  // Only the canonical spelling the encoders write; and All never survives effective_type().
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["invitation"]["type"] = "roomadmin"; }))),
            "invitation.type: unknown type 'roomadmin'");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["invitation"]["type"] = "All"; }))),
            "invitation.type: unknown type 'All'");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["invitation"]["type"] = 4; }))),
            "invitation.type: must be a string");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["inviter"]["role"] = "Admin"; }))),
            "inviter.role: unknown role 'Admin'");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["inviter"]["role"] = "owner"; }))),
            "inviter.role: unknown role 'owner'");
}

TEST(EventsDecode, RequestedChecksIndexAndCount) {
  const auto text = encode_requested(sample_requested());  // index 1 of 3
  auto with = [&](std::int64_t index, std::int64_t count) {
    return decode_requested(edited(text, [&](auto& d) {
      d["index"] = index;
      d["count"] = count;
    }));
  };
  EXPECT_EQ(must_decode(with(0, 1)).index, 0);
  EXPECT_EQ(must_decode(with(2, 3)).index, 2);
  EXPECT_EQ(decode_error(with(3, 3)), "index: must be less than count");
  EXPECT_EQ(decode_error(with(-1, 3)), "index: out of range");
  EXPECT_EQ(decode_error(with(0, 0)), "count: must be at least 1");
  EXPECT_EQ(decode_error(with(0, -5)), "count: must be at least 1");
  EXPECT_EQ(decode_error(with(0, std::int64_t{1} << 40)), "count: out of range");
  EXPECT_EQ(decode_error(decode_requested(edited(text, [](auto& d) { d["replyPartition"] = -1; }))),
            "replyPartition: out of range");
}

TEST(EventsDecode, RequestedHoldsValuesToTheGatewaysValidation) {
  // A third-party producer's record must not smuggle in what the HTTP API would refuse: it would become a user,
  // an e-mail header, or an id that breaks the schemas of the events the worker publishes.
  const auto text = encode_requested(sample_requested());
  const auto error_with = [&](auto change) { return decode_error(decode_requested(edited(text, change))); };
  EXPECT_EQ(error_with([](auto& d) { d["eventId"] = "e-1"; }), "eventId: not a uuid");
  EXPECT_EQ(error_with([](auto& d) { d["requestId"] = "not-a-uuid"; }), "requestId: not a uuid");
  EXPECT_EQ(error_with([](auto& d) { d["inviter"]["userId"] = "42"; }), "inviter.userId: not a uuid");
  EXPECT_EQ(error_with([](auto& d) { d["invitation"]["email"] = "not an email"; }),
            "invitation.email: not a valid e-mail");
  EXPECT_EQ(error_with([](auto& d) { d["invitation"]["email"] = "a@b.com\r\nBcc: x@y.com"; }),
            "invitation.email: not a valid e-mail");
  EXPECT_EQ(error_with([](auto& d) { d["culture"] = "some text"; }), "culture: not a culture like en or en-US");
  EXPECT_EQ(error_with([](auto& d) { d["portal"] = ""; }), "portal: must not be empty");
  const std::string upper_case_id = "9F1C6D2E-8B7A-4C3D-9E2F-1A2B3C4D5E6F";
  EXPECT_EQ(must_decode(decode_requested(edited(text, [&](auto& d) { d["eventId"] = upper_case_id; }))).event_id,
            upper_case_id);
}

TEST(EventsDecode, ReplyDefects) {
  const auto ok = encode_reply(sample_ok_reply());
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d["outcome"] = "maybe"; }))),
            "outcome: unknown outcome 'maybe'");
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d.erase("users"); }))), "users: missing");
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d["users"] = nlohmann::ordered_json::object(); }))),
            "users: must be an array");
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d["users"][1] = "x"; }))),
            "users[1]: must be an object");
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d["users"][1]["type"] = "Owner"; }))),
            "users[1].type: unknown type 'Owner'");
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d["users"][0].erase("createdBy"); }))),
            "users[0].createdBy: missing");
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d["users"][0]["activationStatus"] = 3; }))),
            "users[0].activationStatus: unknown activation status 3");
  EXPECT_EQ(decode_error(decode_reply(edited(ok, [](auto& d) { d["users"][0]["status"] = "Active"; }))),
            "users[0].status: must be an integer");
  EXPECT_EQ(
      decode_error(decode_reply(edited(ok, [](auto& d) { d["users"][0]["createdAt"] = "2026-13-01T00:00:00Z"; }))),
      "users[0].createdAt: not an RFC 3339 date-time");

  const auto disabled = encode_reply(sample_error_reply(Outcome::UserDisabled, "The user is disabled: a@b.com"));
  EXPECT_EQ(decode_error(decode_reply(edited(disabled, [](auto& d) { d.erase("message"); }))), "message: missing");

  const auto budget = encode_reply(sample_budget_reply());
  EXPECT_EQ(decode_error(decode_reply(edited(budget, [](auto& d) { d.erase("rateLimit"); }))), "rateLimit: missing");
  EXPECT_EQ(decode_error(decode_reply(edited(budget, [](auto& d) { d["rateLimit"]["remaining"] = -1; }))),
            "rateLimit.remaining: out of range");
  EXPECT_EQ(decode_error(decode_reply(edited(budget, [](auto& d) { d["rateLimit"].erase("resetAt"); }))),
            "rateLimit.resetAt: missing");
}

TEST(EventsDecode, EmailJobDefects) {
  const auto text = encode_email_job(sample_email_job());
  EXPECT_EQ(decode_error(decode_email_job(edited(text, [](auto& d) { d["recipient"].erase("email"); }))),
            "recipient.email: missing");
  EXPECT_EQ(decode_error(decode_email_job(edited(text, [](auto& d) { d["inviter"] = "someone"; }))),
            "inviter: must be an object");
  EXPECT_EQ(decode_error(decode_email_job(edited(text, [](auto& d) { d["template"] = "welcome"; }))),
            "template: unknown template 'welcome'");
  EXPECT_EQ(decode_error(decode_email_job(edited(text, [](auto& d) { d["expiresAt"] = ""; }))),
            "expiresAt: not an RFC 3339 date-time");
  EXPECT_EQ(decode_error(decode_email_job(edited(text, [](auto& d) { d.erase("confirmationLink"); }))),
            "confirmationLink: missing");
}

TEST(EventsDecode, EmailStatusDefects) {
  const auto text = encode_email_status(sample_email_status(DeliveryStatus::Retrying));
  EXPECT_EQ(decode_error(decode_email_status(edited(text, [](auto& d) { d["status"] = "bounced"; }))),
            "status: unknown status 'bounced'");
  EXPECT_EQ(decode_error(decode_email_status(edited(text, [](auto& d) { d.erase("nextAttemptAt"); }))),
            "nextAttemptAt: missing");
  EXPECT_EQ(decode_error(decode_email_status(edited(text, [](auto& d) { d["attempt"] = 0; }))),
            "attempt: out of range");
  EXPECT_EQ(decode_error(decode_email_status(edited(text, [](auto& d) { d["smtpCode"] = 99; }))),
            "smtpCode: out of range");
  EXPECT_EQ(decode_error(decode_email_status(edited(text, [](auto& d) { d["jobEventId"] = "1"; }))),
            "jobEventId: not a uuid");
}

TEST(EventsDecode, UserInvitedDefects) {
  const auto text = encode_user_invited(sample_user_invited());
  EXPECT_EQ(decode_error(decode_user_invited(edited(text, [](auto& d) { d["user"].erase("id"); }))),
            "user.id: missing");
  EXPECT_EQ(decode_error(decode_user_invited(edited(text, [](auto& d) { d["user"]["type"] = "Visitor"; }))),
            "user.type: unknown type 'Visitor'");
  EXPECT_EQ(decode_error(decode_user_invited(edited(text, [](auto& d) { d["user"]["status"] = 3; }))),
            "user.status: unknown status 3");
  EXPECT_EQ(decode_error(decode_user_invited(edited(text, [](auto& d) { d["invitedBy"]["role"] = "Root"; }))),
            "invitedBy.role: unknown role 'Root'");
  EXPECT_EQ(decode_error(decode_user_invited(edited(text, [](auto& d) { d.erase("invitedBy"); }))),
            "invitedBy: missing");
}

TEST(EventsDecode, ExtraFieldsAreIgnored) {
  // A tolerant reader: a newer producer adding a field must not send every record to the DLQ.
  const auto event = sample_requested();
  EXPECT_EQ(must_decode(decode_requested(edited(encode_requested(event), [](auto& d) { d["traceHint"] = "x"; }))),
            event);
}

// ---- contract: the encoders' output against proto/events/*.schema.json ----

TEST_F(EventSchemas, EncodedEventsOfEveryTopicValidate) {
  std::vector<std::filesystem::path> files;
  files.push_back(write("invite.requested.v1.json", encode_requested(sample_requested())));
  files.push_back(write("invite.replies.v1.ok.json", encode_reply(sample_ok_reply())));
  files.push_back(write("invite.replies.v1.empty.json", [] {
    auto reply = sample_ok_reply();
    reply.users.clear();
    return encode_reply(reply);
  }()));
  files.push_back(write("invite.replies.v1.disabled.json",
                        encode_reply(sample_error_reply(Outcome::UserDisabled, "The user is disabled: a@b.com"))));
  files.push_back(write(
      "invite.replies.v1.seats.json",
      encode_reply(sample_error_reply(Outcome::PaidSeatsExceeded, "The number of admins exceeds the limit: 3/2."))));
  files.push_back(write("invite.replies.v1.budget.json", encode_reply(sample_budget_reply())));
  files.push_back(write("invite.emails.v1.json", encode_email_job(sample_email_job())));
  files.push_back(write("people.user-invited.v1.json", encode_user_invited(sample_user_invited())));
  files.push_back(write("invite.replies.v1.names.json", [] {
    auto reply = sample_ok_reply();
    reply.users[0].first_name = kNonAsciiName;
    reply.users[0].last_name = kControlName;
    return encode_reply(reply);
  }()));
  files.push_back(write("invite.emails.v1.names.json", [] {
    auto job = sample_email_job();
    job.portal_name = kNonAsciiName + kControlName;
    job.subject.reset();
    return encode_email_job(job);
  }()));
  EXPECT_EQ(check(files), 0) << output_;
}

TEST_F(EventSchemas, SchemasRejectWhatEncodeNeverProduces) {
  // Proves the check has teeth: each document differs from encoder output in one way the schema forbids.
  const auto requested = encode_requested(sample_requested());
  const auto extra = write("invite.requested.v1.extra.json", edited(requested, [](auto& d) { d["extra"] = 1; }));
  const auto missing =
      write("invite.requested.v1.missing.json", edited(requested, [](auto& d) { d.erase("culture"); }));
  const auto bad_uuid =
      write("invite.requested.v1.uuid.json", edited(requested, [](auto& d) { d["eventId"] = "e-1"; }));
  const auto bad_time =
      write("invite.requested.v1.time.json", edited(requested, [](auto& d) { d["deadline"] = "2026-11-26 11:00"; }));
  const auto ok_with_message = write("invite.replies.v1.mixed.json",
                                     edited(encode_reply(sample_ok_reply()), [](auto& d) { d["message"] = "x"; }));
  const auto budget_without_limit =
      write("invite.replies.v1.nolimit.json",
            edited(encode_reply(sample_budget_reply()), [](auto& d) { d.erase("rateLimit"); }));
  for (const auto& file : {extra, missing, bad_uuid, bad_time, ok_with_message, budget_without_limit}) {
    EXPECT_EQ(check({file}), 1) << file << "\n" << output_;
  }
}

TEST_F(EventSchemas, EmptyFilesFailAndBadLinesAreNamedByTheirLineNumber) {
  // An empty file (an encoder or a capture that produced nothing) must not pass as valid.
  EXPECT_EQ(check({write("invite.requested.v1.empty.json", "")}), 1) << output_;
  EXPECT_NE(output_.find("no document"), std::string::npos) << output_;

  const auto event = encode_requested(sample_requested());
  EXPECT_EQ(check({write("invite.requested.v1.lines.json", event + "\n\n" + event + "\n{broken\n")}), 1) << output_;
  EXPECT_NE(output_.find("lines.json#1 (invite.requested.v1): ok"), std::string::npos) << output_;
  EXPECT_NE(output_.find("lines.json#3 (invite.requested.v1): ok"), std::string::npos) << output_;
  EXPECT_NE(output_.find("lines.json#4 (invite.requested.v1): not JSON"), std::string::npos) << output_;
}

}  // namespace
}  // namespace invite::events
