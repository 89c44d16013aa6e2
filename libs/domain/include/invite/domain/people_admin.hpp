#pragma once
// What an administrator may do to invited users: resend (PUT /api/2.0/people/invite), disable
// (PUT /api/2.0/people/status/2) and delete (PUT /api/2.0/people/delete). DocSpace's rules
// (reference/docspace-lifecycle.md):
//   resendAll: RoomAdmin, DocSpaceAdmin or Owner.
//   reach, by the target's type: Owner reaches DocSpaceAdmins and below, DocSpaceAdmin reaches RoomAdmins and below,
//     RoomAdmin reaches Users and below (Guests), User and Guest reach nobody. Unreachable targets are skipped.
//   resend: only still-pending targets (activated or disabled ones are skipped).
//   disable: by a DocSpaceAdmin or the Owner (DocSpace's "add/remove users" right), of a reachable target that is
//     neither the Owner nor the caller.
//   delete: the same, and only of a disabled (Terminated) user ("user is not suspended" otherwise).
#include <string_view>

#include "invite/domain/types.hpp"

namespace invite::domain {

bool may_resend_all(Role caller);
bool may_reach(Role caller, EmployeeType target);

enum class ResendDecision { Resend, SkipUnreachable, SkipNotPending };
ResendDecision decide_resend(Role caller, const User& target);

enum class RevokeDecision { Allow, Forbidden, TargetIsOwner, TargetIsCaller, NotSuspended };

struct RevokeCaller {
  Role role = Role::Guest;
  std::string_view id;
};

// target_is_owner: the portal's owner (the store does not know roles; the caller of this function does).
RevokeDecision decide_disable(const RevokeCaller& caller, const User& target, bool target_is_owner);
RevokeDecision decide_delete(const RevokeCaller& caller, const User& target, bool target_is_owner);

}  // namespace invite::domain
