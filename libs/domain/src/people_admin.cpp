#include "invite/domain/people_admin.hpp"

#include "invite/common/text.hpp"
#include "invite/domain/lifecycle.hpp"

namespace invite::domain {
namespace {

// The highest type a caller reaches; All (rank 0) means nobody.
EmployeeType highest_reachable(Role caller) {
  switch (caller) {
    case Role::Owner:
      return EmployeeType::DocSpaceAdmin;
    case Role::DocSpaceAdmin:
      return EmployeeType::RoomAdmin;
    case Role::RoomAdmin:
      return EmployeeType::User;
    case Role::User:
    case Role::Guest:
      break;
  }
  return EmployeeType::All;
}

}  // namespace

bool may_resend_all(Role caller) {
  return caller == Role::Owner || caller == Role::DocSpaceAdmin || caller == Role::RoomAdmin;
}

bool may_reach(Role caller, EmployeeType target) {
  const auto highest = highest_reachable(caller);
  return highest != EmployeeType::All && rank(effective_type(target)) <= rank(highest);
}

ResendDecision decide_resend(Role caller, const User& target) {
  if (!may_reach(caller, target.type)) return ResendDecision::SkipUnreachable;
  if (!is_pending(target)) return ResendDecision::SkipNotPending;
  return ResendDecision::Resend;
}

RevokeDecision decide_disable(const RevokeCaller& caller, const User& target, bool target_is_owner) {
  if (caller.role != Role::Owner && caller.role != Role::DocSpaceAdmin) return RevokeDecision::Forbidden;
  if (target_is_owner) return RevokeDecision::TargetIsOwner;
  if (common::iequals(caller.id, target.id)) return RevokeDecision::TargetIsCaller;
  if (!may_reach(caller.role, target.type)) return RevokeDecision::Forbidden;
  return RevokeDecision::Allow;
}

RevokeDecision decide_delete(const RevokeCaller& caller, const User& target, bool target_is_owner) {
  const auto decision = decide_disable(caller, target, target_is_owner);
  if (decision != RevokeDecision::Allow) return decision;
  if (target.status != EmployeeStatus::Terminated) return RevokeDecision::NotSuspended;
  return RevokeDecision::Allow;
}

}  // namespace invite::domain
