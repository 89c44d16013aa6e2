#include "invite/domain/lifecycle.hpp"

#include <charconv>
#include <utility>

#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"

namespace invite::domain {
namespace {

// The `<ms>` part of a key already checked by check_invite_key (so well-formed).
std::optional<std::int64_t> key_ms(std::string_view key) {
  const auto dot = key.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  std::int64_t ms = 0;
  const auto [end, error] = std::from_chars(key.data(), key.data() + dot, ms);
  if (error != std::errc{} || end != key.data() + dot) return std::nullopt;
  return ms;
}

ConfirmOutcome outcome(ValidationResult result) { return ConfirmOutcome{result, {}}; }

}  // namespace

std::optional<std::string> link_email(const LinkValues& link, std::string_view secret) {
  if (link.email && !link.email->empty()) return normalize_email(*link.email);
  if (link.encemail && !link.encemail->empty()) {
    if (auto email = decrypt_encemail(*link.encemail, secret)) return normalize_email(*email);
  }
  return std::nullopt;
}

bool is_pending(const User& user) {
  return user.status == EmployeeStatus::Pending && user.activation_status != ActivationStatus::Activated;
}

ConfirmOutcome check_confirm(const LinkValues& link, const std::optional<LinkedUser>& stored,
                             const ConfirmContext& context) {
  const auto email = link_email(link, context.secret);
  if (!email || !link.type) return outcome(ValidationResult::Invalid);
  switch (check_invite_key(link.key, *email, *link.type, context.portal_host, context.now_ms, context.secret,
                           context.link_lifetime)) {
    case LinkCheck::Invalid:
      return outcome(ValidationResult::Invalid);
    case LinkCheck::Expired:
      return outcome(ValidationResult::Expired);
    case LinkCheck::Valid:
      break;
  }
  if (!stored || normalize_email(stored->user.email) != *email) return outcome(ValidationResult::Invalid);
  if (stored->user.status == EmployeeStatus::Terminated) return outcome(ValidationResult::Invalid);
  if (key_ms(link.key) != stored->current_link_ms) return outcome(ValidationResult::Invalid);
  if (link.inviter_id && !stored->current_link_inviter_id.empty() &&
      !common::iequals(*link.inviter_id, stored->current_link_inviter_id)) {
    return outcome(ValidationResult::Invalid);
  }
  if (!is_pending(stored->user)) return outcome(ValidationResult::UserExisted);
  return ConfirmOutcome{ValidationResult::Ok, stored->user.email};
}

AcceptOutcome decide_accept(const AcceptFacts& facts) {
  switch (facts.link) {
    case ValidationResult::Invalid:
      return AcceptOutcome::LinkInvalid;
    case ValidationResult::Expired:
      return AcceptOutcome::LinkExpired;
    case ValidationResult::Ok:
    case ValidationResult::UserExisted:
      break;
  }
  if (!facts.body_matches_link) return AcceptOutcome::BodyMismatch;
  if (!facts.allow_inviting_members) return AcceptOutcome::InvitationsNotAllowed;
  if (facts.link == ValidationResult::UserExisted || facts.user == nullptr || !is_pending(*facts.user)) {
    return AcceptOutcome::NotPending;
  }
  return AcceptOutcome::Accept;
}

bool accept_body_matches_link(const AcceptClaims& body, const LinkValues& link, std::string_view link_email) {
  return !link_email.empty() && common::iequals(common::trim(body.email), link_email) && body.type && link.type &&
         *body.type == *link.type && body.key == link.key;
}

User activate(User user, const Activation& activation) {
  user.first_name = std::string(common::trim(activation.first_name));
  user.last_name = std::string(common::trim(activation.last_name));
  if (!activation.culture.empty()) user.culture = activation.culture;
  user.status = EmployeeStatus::Active;
  user.activation_status = ActivationStatus::Activated;
  return user;
}

}  // namespace invite::domain
