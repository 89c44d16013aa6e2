#include "invite/domain/permissions.hpp"

namespace invite::domain {

bool may_invite(Role caller, EmployeeType invited, bool allow_inviting_members) {
  if (!allow_inviting_members) return false;
  if (invited == EmployeeType::Guest || invited == EmployeeType::All) return false;  // All must be mapped first
  switch (caller) {
    case Role::Owner:
      return true;
    case Role::DocSpaceAdmin:
      return invited != EmployeeType::DocSpaceAdmin;
    case Role::RoomAdmin:
      return invited == EmployeeType::User;
    case Role::User:
    case Role::Guest:
      return false;
  }
  return false;
}

}  // namespace invite::domain
