#include "invite/domain/types.hpp"

#include <array>
#include <functional>

#include "invite/common/text.hpp"

namespace invite::domain {
namespace {

template <class Enum>
struct Named {
  Enum value;
  std::string_view name;
};

constexpr std::array<Named<EmployeeType>, 5> kTypeNames{{
    {EmployeeType::All, "All"},
    {EmployeeType::RoomAdmin, "RoomAdmin"},
    {EmployeeType::Guest, "Guest"},
    {EmployeeType::DocSpaceAdmin, "DocSpaceAdmin"},
    {EmployeeType::User, "User"},
}};

constexpr std::array<Named<Role>, 5> kRoleNames{{
    {Role::Owner, "Owner"},
    {Role::DocSpaceAdmin, "DocSpaceAdmin"},
    {Role::RoomAdmin, "RoomAdmin"},
    {Role::User, "User"},
    {Role::Guest, "Guest"},
}};

template <class Enum, std::size_t N, class Same>
std::optional<Enum> value_named(const std::array<Named<Enum>, N>& table, std::string_view name, Same same) {
  for (const auto& entry : table) {
    if (same(entry.name, name)) return entry.value;
  }
  return std::nullopt;
}

// `otherwise` only for a value outside the enumeration (a bad cast).
template <class Enum, std::size_t N>
std::string_view name_of(const std::array<Named<Enum>, N>& table, Enum value, std::string_view otherwise) {
  for (const auto& entry : table) {
    if (entry.value == value) return entry.name;
  }
  return otherwise;
}

}  // namespace

std::optional<EmployeeType> employee_type_from_name(std::string_view name) {
  return value_named(kTypeNames, name, common::iequals);
}

std::optional<EmployeeType> employee_type_from_number(std::int64_t number) {
  if (number < 0 || number > 4) return std::nullopt;
  return static_cast<EmployeeType>(number);
}

std::string_view to_string(EmployeeType type) { return name_of(kTypeNames, type, "All"); }

int rank(EmployeeType type) {
  switch (type) {
    case EmployeeType::All:
      return 0;
    case EmployeeType::Guest:
      return 1;
    case EmployeeType::User:
      return 2;
    case EmployeeType::RoomAdmin:
      return 3;
    case EmployeeType::DocSpaceAdmin:
      return 4;
  }
  return 0;
}

EmployeeType effective_type(std::optional<EmployeeType> requested) {
  if (!requested || *requested == EmployeeType::All) return EmployeeType::RoomAdmin;
  return *requested;
}

bool is_paid(EmployeeType type) { return type == EmployeeType::RoomAdmin || type == EmployeeType::DocSpaceAdmin; }

std::optional<Role> role_from_name(std::string_view name) { return value_named(kRoleNames, name, std::equal_to<>{}); }

// An out-of-range value is named as the role that may do least.
std::string_view to_string(Role role) { return name_of(kRoleNames, role, "Guest"); }

}  // namespace invite::domain
