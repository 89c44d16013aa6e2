#pragma once
// Who may invite whom: exactly the table of reference/docspace-behaviour.md.
//   caller \ invited  User  RoomAdmin  DocSpaceAdmin  Guest
//   Owner             yes   yes        yes            no
//   DocSpaceAdmin     yes   yes        no             no
//   RoomAdmin         yes   no         no             no
//   User, Guest       no for any invitation
// allowInvitingMembers=false on the portal denies every invitation.
#include "invite/domain/types.hpp"

namespace invite::domain {

// `invited` is the effective type (All/omitted already mapped to RoomAdmin by effective_type()).
bool may_invite(Role caller, EmployeeType invited, bool allow_inviting_members);

}  // namespace invite::domain
