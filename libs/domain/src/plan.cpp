#include "invite/domain/plan.hpp"

#include <algorithm>
#include <cassert>
#include <cstddef>

#include "invite/common/ids.hpp"
#include "invite/domain/validation.hpp"

namespace invite::domain {
namespace {

// One distinct e-mail of the request, as the request leaves it.
struct Entry {
  User user;
  bool created = false;
  EmployeeType stored_type = EmployeeType::User;  // existing users: the type before this request
};

Plan failure(Outcome outcome) {
  Plan plan;
  plan.outcome = outcome;
  return plan;
}

}  // namespace

std::string_view to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::Ok:
      return "ok";
    case Outcome::UserDisabled:
      return "user_disabled";
    case Outcome::PaidSeatsExceeded:
      return "paid_seats_exceeded";
    case Outcome::DailyBudgetExceeded:
      return "daily_budget_exceeded";
    case Outcome::LinkInvalid:
      return "link_invalid";
    case Outcome::LinkExpired:
      return "link_expired";
    case Outcome::LinkMismatch:
      return "link_mismatch";
    case Outcome::NotPending:
      return "not_pending";
    case Outcome::InvitationsDisabled:
      return "invitations_disabled";
    case Outcome::Forbidden:
      return "forbidden";
    case Outcome::RateLimited:
      return "rate_limited";
    case Outcome::NotFound:
      return "not_found";
    case Outcome::NotDisabled:
      return "not_disabled";
  }
  assert(false && "unknown Outcome");
  return "ok";
}

Plan plan_request(const PlanInput& input, const std::function<std::string()>& new_id) {
  assert(input.portal != nullptr);
  const Portal& portal = *input.portal;

  // A disabled user rejects the request before anything else is looked at, whatever comes after it.
  for (const auto& invitation : input.invitations) {
    const auto found = input.existing.find(normalize_email(invitation.email));
    if (found != input.existing.end() && found->second.status == EmployeeStatus::Terminated) {
      Plan plan = failure(Outcome::UserDisabled);
      plan.disabled_email = invitation.email;
      return plan;
    }
  }

  std::vector<Entry> entries;  // first-occurrence order
  std::unordered_map<std::string, std::size_t> position;
  entries.reserve(input.invitations.size());
  for (const auto& invitation : input.invitations) {
    auto key = normalize_email(invitation.email);
    const auto seen = position.find(key);
    if (seen != position.end()) {
      // A repeat acts on the user its first occurrence found or created: types only ever rise.
      User& user = entries[seen->second].user;
      if (rank(invitation.type) > rank(user.type)) user.type = invitation.type;
      continue;
    }
    Entry entry;
    const auto found = input.existing.find(key);
    if (found != input.existing.end()) {
      entry.user = found->second;
      entry.stored_type = entry.user.type;
      if (rank(invitation.type) > rank(entry.user.type)) entry.user.type = invitation.type;
    } else {
      entry.created = true;
      entry.user.id = new_id();
      entry.user.portal = portal.host;
      entry.user.email = invitation.email;
      entry.user.user_name = email_local_part(invitation.email);
      entry.user.type = invitation.type;
      entry.user.activation_status = ActivationStatus::Pending;
      entry.user.status = EmployeeStatus::Pending;
      entry.user.culture = input.culture;
      entry.user.created_by = input.inviter_id;
      entry.user.created_at_ms = input.now_ms;
    }
    position.emplace(std::move(key), entries.size());
    entries.push_back(std::move(entry));
  }

  std::int64_t new_users = 0;
  std::int64_t seats_needed = 0;
  for (const auto& entry : entries) {
    if (entry.created) {
      ++new_users;
      if (is_paid(entry.user.type)) ++seats_needed;
    } else if (!is_paid(entry.stored_type) && is_paid(entry.user.type)) {
      ++seats_needed;
    }
  }

  if (portal.paid_seats) {
    const std::int64_t free_seats = std::max<std::int64_t>(0, *portal.paid_seats - input.paid_seats_in_use);
    if (seats_needed > free_seats) {
      Plan plan = failure(Outcome::PaidSeatsExceeded);
      plan.seats = SeatShortage{seats_needed, free_seats};
      return plan;
    }
  }

  // Only new users spend the budget: a request that merely finds (or raises) existing users always passes.
  if (portal.daily_invitation_budget && new_users > 0 &&
      input.invited_today + new_users > *portal.daily_invitation_budget) {
    const std::int64_t budget = *portal.daily_invitation_budget;
    Plan plan = failure(Outcome::DailyBudgetExceeded);
    plan.rate_limit = RateLimit{budget, std::max<std::int64_t>(0, budget - input.invited_today),
                                common::next_utc_midnight_ms(input.now_ms)};
    return plan;
  }

  Plan plan;
  plan.outcome = Outcome::Ok;
  for (auto& entry : entries) {
    if (entry.created) {
      plan.created.push_back(entry.user);
    } else if (entry.user.type != entry.stored_type) {
      plan.raised.push_back(entry.user);
    }
    plan.users.push_back(std::move(entry.user));
  }
  return plan;
}

}  // namespace invite::domain
