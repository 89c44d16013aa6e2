#include "invite/domain/lifecycle.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace invite::domain {
namespace {

constexpr std::string_view kSecret = "test-secret";
constexpr std::string_view kInviter = "6f1e2d3c-0000-4000-8000-000000000001";
constexpr std::int64_t kSentAt = 1700000000000;
constexpr std::int64_t kDay = 24 * 60 * 60 * 1000;

Portal example_portal() {
  Portal portal;
  portal.host = "example.com";
  portal.base_url = "https://example.com";
  return portal;
}

std::string percent_decode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size()) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// The values of a link the worker would mail, as the confirm body carries them (encemail, no email).
LinkValues mailed_link(std::string_view email = "alice@example.com", std::int64_t sent_at = kSentAt,
                       EmployeeType type = EmployeeType::User) {
  const auto link = invite_link(example_portal(), InviteLinkInput{email, type, kInviter, "en-US", sent_at}, kSecret);
  std::map<std::string, std::string> params;
  std::string_view query = std::string_view(link).substr(link.find('?') + 1);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    params[std::string(pair.substr(0, eq))] = percent_decode(pair.substr(eq + 1));
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
  }
  LinkValues values;
  values.key = params["key"];
  values.encemail = params["encemail"];
  values.type = employee_type_from_number(std::stoll(params["emplType"]));
  values.inviter_id = params["uid"];
  return values;
}

User pending_alice() {
  User user;
  user.id = "0f000000-0000-4000-8000-00000000000a";
  user.portal = "example.com";
  user.email = "Alice@Example.com";
  user.type = EmployeeType::User;
  user.created_by = std::string(kInviter);
  user.created_at_ms = kSentAt;
  return user;
}

std::optional<LinkedUser> stored(User user = pending_alice(), std::int64_t link_ms = kSentAt) {
  return LinkedUser{std::move(user), link_ms, std::string(kInviter)};
}

ConfirmContext at(std::int64_t now_ms) { return ConfirmContext{"example.com", now_ms, kSecret}; }

TEST(LinkEmail, ComesFromTheDecryptedEncemail) { EXPECT_EQ(link_email(mailed_link(), kSecret), "alice@example.com"); }

TEST(LinkEmail, PrefersThePlainEmailWhenBothAreSent) {
  auto link = mailed_link();
  link.email = "Bob@Example.com";
  EXPECT_EQ(link_email(link, kSecret), "bob@example.com");
}

TEST(LinkEmail, IsAbsentForAForgedEncemail) {
  auto link = mailed_link();
  link.encemail = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
  EXPECT_EQ(link_email(link, kSecret), std::nullopt);
}

TEST(CheckConfirm, IsOkForTheNewestLinkOfAPendingUser) {
  const auto outcome = check_confirm(mailed_link(), stored(), at(kSentAt + kDay));
  EXPECT_EQ(outcome, (ConfirmOutcome{ValidationResult::Ok, "Alice@Example.com"}));
}

TEST(CheckConfirm, AcceptsThePlainEmailInsteadOfEncemail) {
  auto link = mailed_link();
  link.encemail.reset();
  link.email = "alice@example.com";
  EXPECT_EQ(check_confirm(link, stored(), at(kSentAt)).result, ValidationResult::Ok);
}

TEST(CheckConfirm, IsInvalidForATamperedKey) {
  auto link = mailed_link();
  link.key.back() = link.key.back() == 'A' ? 'B' : 'A';
  EXPECT_EQ(check_confirm(link, stored(), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidForAKeyWithoutItsTimestamp) {
  auto link = mailed_link();
  link.key = link.key.substr(link.key.find('.') + 1);
  EXPECT_EQ(check_confirm(link, stored(), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidWhenTheTypeWasChanged) {
  auto link = mailed_link();
  link.type = EmployeeType::DocSpaceAdmin;
  EXPECT_EQ(check_confirm(link, stored(), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidWithoutAType) {
  auto link = mailed_link();
  link.type.reset();
  EXPECT_EQ(check_confirm(link, stored(), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidForAnotherPortal) {
  const ConfirmContext other{"other.example.com", kSentAt, kSecret};
  EXPECT_EQ(check_confirm(mailed_link(), stored(), other).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidWithoutAnyEmail) {
  auto link = mailed_link();
  link.encemail.reset();
  EXPECT_EQ(check_confirm(link, stored(), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsExpiredAfterThePortalsLinkLifetime) {
  EXPECT_EQ(check_confirm(mailed_link(), stored(), at(kSentAt + 7 * kDay + 1)).result, ValidationResult::Expired);
}

TEST(CheckConfirm, HonoursAShorterPortalLifetime) {
  auto context = at(kSentAt + 2 * kDay);
  context.link_lifetime = std::chrono::hours(24);
  EXPECT_EQ(check_confirm(mailed_link(), stored(), context).result, ValidationResult::Expired);
}

TEST(CheckConfirm, ReportsExpiredBeforeAnUnknownUser) {
  EXPECT_EQ(check_confirm(mailed_link(), std::nullopt, at(kSentAt + 8 * kDay)).result, ValidationResult::Expired);
}

TEST(CheckConfirm, IsInvalidForAnUnknownOrDeletedUser) {
  EXPECT_EQ(check_confirm(mailed_link(), std::nullopt, at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidForADisabledUser) {
  auto user = pending_alice();
  user.status = EmployeeStatus::Terminated;
  EXPECT_EQ(check_confirm(mailed_link(), stored(user), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidForAStoredUserOfAnotherEmail) {
  auto user = pending_alice();
  user.email = "bob@example.com";
  EXPECT_EQ(check_confirm(mailed_link(), stored(user), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, IsInvalidForALinkAResendReplaced) {
  const auto resent_at = kSentAt + kDay;
  EXPECT_EQ(check_confirm(mailed_link(), stored(pending_alice(), resent_at), at(resent_at)).result,
            ValidationResult::Invalid);
}

TEST(CheckConfirm, IsOkForTheLinkOfTheResend) {
  const auto resent_at = kSentAt + kDay;
  const auto link = mailed_link("alice@example.com", resent_at);
  EXPECT_EQ(check_confirm(link, stored(pending_alice(), resent_at), at(resent_at)).result, ValidationResult::Ok);
}

TEST(CheckConfirm, IsInvalidWhenTheUidIsNotTheLinksInviter) {
  auto link = mailed_link();
  link.inviter_id = "6f1e2d3c-0000-4000-8000-000000000002";
  EXPECT_EQ(check_confirm(link, stored(), at(kSentAt)).result, ValidationResult::Invalid);
}

TEST(CheckConfirm, SaysUserExistedOnceActivated) {
  const auto user = activate(pending_alice(), Activation{"Alice", "Smith", ""});
  EXPECT_EQ(check_confirm(mailed_link(), stored(user), at(kSentAt)),
            (ConfirmOutcome{ValidationResult::UserExisted, ""}));
}

TEST(CheckConfirm, GivesTheSameAnswerWhenOpenedAgain) {
  const auto link = mailed_link();
  const auto user = stored();
  const auto first = check_confirm(link, user, at(kSentAt + 1000));
  EXPECT_EQ(check_confirm(link, user, at(kSentAt + 60 * 60 * 1000)), first);
}

AcceptFacts good_accept(const User& user) { return AcceptFacts{ValidationResult::Ok, true, &user, true}; }

TEST(DecideAccept, AcceptsAPendingUserWithAMatchingBody) {
  const auto user = pending_alice();
  EXPECT_EQ(decide_accept(good_accept(user)), AcceptOutcome::Accept);
}

TEST(DecideAccept, RefusesAnInvalidLink) {
  const auto user = pending_alice();
  auto facts = good_accept(user);
  facts.link = ValidationResult::Invalid;
  EXPECT_EQ(decide_accept(facts), AcceptOutcome::LinkInvalid);
}

TEST(DecideAccept, RefusesAnExpiredLink) {
  const auto user = pending_alice();
  auto facts = good_accept(user);
  facts.link = ValidationResult::Expired;
  EXPECT_EQ(decide_accept(facts), AcceptOutcome::LinkExpired);
}

TEST(DecideAccept, RefusesABodyThatDoesNotMatchTheLink) {
  const auto user = pending_alice();
  auto facts = good_accept(user);
  facts.body_matches_link = false;
  EXPECT_EQ(decide_accept(facts), AcceptOutcome::BodyMismatch);
}

TEST(DecideAccept, RefusesWhenThePortalDoesNotAllowInvitations) {
  const auto user = pending_alice();
  auto facts = good_accept(user);
  facts.allow_inviting_members = false;
  EXPECT_EQ(decide_accept(facts), AcceptOutcome::InvitationsNotAllowed);
}

TEST(DecideAccept, RefusesASecondAccept) {
  const auto user = activate(pending_alice(), Activation{"Alice", "Smith", ""});
  auto facts = good_accept(user);
  facts.link = ValidationResult::UserExisted;
  EXPECT_EQ(decide_accept(facts), AcceptOutcome::NotPending);
}

TEST(DecideAccept, ReportsTheLinkBeforeTheBody) {
  const auto user = pending_alice();
  EXPECT_EQ(decide_accept(AcceptFacts{ValidationResult::Expired, false, &user, false}), AcceptOutcome::LinkExpired);
}

TEST(AcceptBodyMatchesLink, HoldsForTheLinksEmailTypeAndKey) {
  const auto link = mailed_link();
  EXPECT_TRUE(accept_body_matches_link(AcceptClaims{"ALICE@example.com", EmployeeType::User, link.key}, link,
                                       "alice@example.com"));
}

TEST(AcceptBodyMatchesLink, FailsForAnotherEmail) {
  const auto link = mailed_link();
  EXPECT_FALSE(accept_body_matches_link(AcceptClaims{"mallory@example.com", EmployeeType::User, link.key}, link,
                                        "alice@example.com"));
}

TEST(AcceptBodyMatchesLink, FailsForAnotherType) {
  const auto link = mailed_link();
  EXPECT_FALSE(accept_body_matches_link(AcceptClaims{"alice@example.com", EmployeeType::DocSpaceAdmin, link.key}, link,
                                        "alice@example.com"));
}

TEST(AcceptBodyMatchesLink, FailsForAnotherKey) {
  const auto link = mailed_link();
  EXPECT_FALSE(accept_body_matches_link(AcceptClaims{"alice@example.com", EmployeeType::User, "1.x"}, link,
                                        "alice@example.com"));
}

TEST(Activate, MakesThePendingUserActiveAndActivated) {
  const auto user = activate(pending_alice(), Activation{"Alice", "Smith", ""});
  EXPECT_EQ(user.status, EmployeeStatus::Active);
  EXPECT_EQ(user.activation_status, ActivationStatus::Activated);
}

TEST(Activate, StoresTheTrimmedNames) {
  const auto user = activate(pending_alice(), Activation{"  Alice ", "\tSmith", ""});
  EXPECT_EQ(user.first_name + "|" + user.last_name, "Alice|Smith");
}

TEST(Activate, TakesTheChosenCulture) {
  EXPECT_EQ(activate(pending_alice(), Activation{"A", "S", "de-DE"}).culture, "de-DE");
}

TEST(Activate, KeepsTheCultureWhenNoneIsChosen) {
  auto user = pending_alice();
  user.culture = "fr-FR";
  EXPECT_EQ(activate(user, Activation{"A", "S", ""}).culture, "fr-FR");
}

TEST(IsPending, IsFalseForADisabledUser) {
  auto user = pending_alice();
  user.status = EmployeeStatus::Terminated;
  EXPECT_FALSE(is_pending(user));
}

}  // namespace
}  // namespace invite::domain
