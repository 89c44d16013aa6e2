#pragma once
// The worker's decision for one complete request, as a pure function of the request and the portal's stored
// state. The store applies the result in one transaction; nothing here touches I/O.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "invite/domain/portal.hpp"
#include "invite/domain/types.hpp"

namespace invite::domain {

// How a request was decided. Its wire names ("ok", "user_disabled", ...) are the reply event's.
// The worker's decision on a request, as its reply names it. The first four answer invites; the others answer the
// invitation's later life (lifecycle.hpp, people_admin.hpp): a link that does not check, an accept whose body is not
// the link's, a user no longer pending, a portal that does not allow invitations, a caller without the right, a
// caller past its rate limit, a target that does not exist, a delete of a user not disabled first.
enum class Outcome {
  Ok,
  UserDisabled,
  PaidSeatsExceeded,
  DailyBudgetExceeded,
  LinkInvalid,
  LinkExpired,
  LinkMismatch,
  NotPending,
  InvitationsDisabled,
  Forbidden,
  RateLimited,
  NotFound,
  NotDisabled,
};
// "ok", "user_disabled", "paid_seats_exceeded", "daily_budget_exceeded", "link_invalid", "link_expired",
// "link_mismatch", "not_pending", "invitations_disabled", "forbidden", "rate_limited", "not_found", "not_disabled"
std::string_view to_string(Outcome outcome);
inline constexpr Outcome kAllOutcomes[] = {Outcome::Ok,
                                           Outcome::UserDisabled,
                                           Outcome::PaidSeatsExceeded,
                                           Outcome::DailyBudgetExceeded,
                                           Outcome::LinkInvalid,
                                           Outcome::LinkExpired,
                                           Outcome::LinkMismatch,
                                           Outcome::NotPending,
                                           Outcome::InvitationsDisabled,
                                           Outcome::Forbidden,
                                           Outcome::RateLimited,
                                           Outcome::NotFound,
                                           Outcome::NotDisabled};

struct RateLimit {
  std::int64_t limit = 0;
  std::int64_t remaining = 0;
  std::int64_t reset_at_ms = 0;
  bool operator==(const RateLimit&) const = default;
};

// Paid seats a request needed and the portal had free when it was refused.
struct SeatShortage {
  std::int64_t needed = 0;
  std::int64_t free = 0;
  bool operator==(const SeatShortage&) const = default;
};

struct PlanInput {
  const Portal* portal = nullptr;
  std::vector<Invitation> invitations;  // request order, effective types
  std::string culture;                  // effective culture for new users
  std::string inviter_id;
  std::int64_t now_ms = 0;
  // Existing users of the portal among the request's e-mails, keyed by normalize_email().
  std::unordered_map<std::string, User> existing;
  std::int64_t paid_seats_in_use = 0;  // non-terminated RoomAdmin + DocSpaceAdmin users of the portal
  std::int64_t invited_today = 0;      // new users invited today (UTC) on the portal
};

struct Plan {
  Outcome outcome = Outcome::Ok;
  std::string disabled_email;           // UserDisabled: the Terminated user's e-mail, as invited
  std::optional<SeatShortage> seats;    // PaidSeatsExceeded
  std::optional<RateLimit> rate_limit;  // DailyBudgetExceeded
  std::vector<User> created;            // new users (activation Pending, status Pending), request order
  std::vector<User> raised;             // existing users whose type rises, with the new type
  std::vector<User> users;              // the response: one per distinct e-mail, request order, final state
};

// Rules, in this order (the first failing rule decides, nothing is applied on failure). A refusal carries the
// facts behind it, not a text: the gateway words the client's message.
// 1. any e-mail belonging to a Terminated user -> UserDisabled, disabled_email = the e-mail as invited;
// 2. paid seats: needed = new users of a paid type + existing users raised from an unpaid to a paid type;
//    when portal.paid_seats is set and needed > free (free = max(0, paid_seats - paid_seats_in_use)) ->
//    PaidSeatsExceeded, seats {needed, free};
// 3. daily budget: when set, new users > 0 and invited_today + new users > budget -> DailyBudgetExceeded,
//    rate_limit {budget, max(0, budget - invited_today), next UTC midnight}. A request creating nobody passes
//    even when a lowered budget is already exceeded.
// A repeated e-mail in the request behaves like an existing user (first occurrence creates it, later ones
// may raise its type). Existing users keep their type unless the invited type ranks higher.
// new_id supplies ids for created users (a uuid generator in production, a counter in tests).
Plan plan_request(const PlanInput& input, const std::function<std::string()>& new_id);

}  // namespace invite::domain
