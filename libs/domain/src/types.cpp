#include "invite/domain/types.hpp"

#include <array>

#include "invite/common/text.hpp"

namespace invite::domain {
namespace {

struct TypeName {
  EmployeeType type;
  std::string_view name;
};
constexpr std::array<TypeName, 5> kTypeNames{{
    {EmployeeType::All, "All"},
    {EmployeeType::RoomAdmin, "RoomAdmin"},
    {EmployeeType::Guest, "Guest"},
    {EmployeeType::DocSpaceAdmin, "DocSpaceAdmin"},
    {EmployeeType::User, "User"},
}};

struct RoleName {
  Role role;
  std::string_view name;
};
constexpr std::array<RoleName, 5> kRoleNames{{
    {Role::Owner, "Owner"},
    {Role::DocSpaceAdmin, "DocSpaceAdmin"},
    {Role::RoomAdmin, "RoomAdmin"},
    {Role::User, "User"},
    {Role::Guest, "Guest"},
}};

}  // namespace

std::optional<EmployeeType> employee_type_from_name(std::string_view name) {
  for (const auto& entry : kTypeNames) {
    if (common::iequals(entry.name, name)) return entry.type;
  }
  return std::nullopt;
}

std::optional<EmployeeType> employee_type_from_number(std::int64_t number) {
  if (number < 0 || number > 4) return std::nullopt;
  return static_cast<EmployeeType>(number);
}

std::string_view to_string(EmployeeType type) {
  for (const auto& entry : kTypeNames) {
    if (entry.type == type) return entry.name;
  }
  return "All";  // unreachable for valid enum values
}

int rank(EmployeeType type) {
  switch (type) {
    case EmployeeType::All: return 0;
    case EmployeeType::Guest: return 1;
    case EmployeeType::User: return 2;
    case EmployeeType::RoomAdmin: return 3;
    case EmployeeType::DocSpaceAdmin: return 4;
  }
  return 0;
}

EmployeeType effective_type(std::optional<EmployeeType> requested) {
  if (!requested || *requested == EmployeeType::All) return EmployeeType::RoomAdmin;
  return *requested;
}

bool is_paid(EmployeeType type) { return type == EmployeeType::RoomAdmin || type == EmployeeType::DocSpaceAdmin; }

std::optional<Role> role_from_name(std::string_view name) {
  for (const auto& entry : kRoleNames) {
    if (entry.name == name) return entry.role;
  }
  return std::nullopt;
}

std::string_view to_string(Role role) {
  for (const auto& entry : kRoleNames) {
    if (entry.role == role) return entry.name;
  }
  return "Guest";
}

}  // namespace invite::domain
