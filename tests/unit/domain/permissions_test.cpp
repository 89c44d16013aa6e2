#include "invite/domain/permissions.hpp"

#include <gtest/gtest.h>

#include <string>

namespace invite::domain {
namespace {

// One row of reference/docspace-behaviour.md's table per case, spelled out rather than generated, so a
// reader can compare it with the reference line by line.
struct Row {
  Role caller;
  EmployeeType invited;
  bool allowed;
};

class PermissionTable : public ::testing::TestWithParam<Row> {};

TEST_P(PermissionTable, MatchesReference) {
  const auto& row = GetParam();
  EXPECT_EQ(may_invite(row.caller, row.invited, true), row.allowed)
      << to_string(row.caller) << " inviting " << to_string(row.invited);
}

TEST_P(PermissionTable, EverythingIsDeniedWhenInvitingMembersIsOff) {
  const auto& row = GetParam();
  EXPECT_FALSE(may_invite(row.caller, row.invited, false))
      << to_string(row.caller) << " inviting " << to_string(row.invited);
}

INSTANTIATE_TEST_SUITE_P(
    Reference, PermissionTable,
    ::testing::Values(
        Row{Role::Owner, EmployeeType::User, true}, Row{Role::Owner, EmployeeType::RoomAdmin, true},
        Row{Role::Owner, EmployeeType::DocSpaceAdmin, true}, Row{Role::Owner, EmployeeType::Guest, false},
        Row{Role::DocSpaceAdmin, EmployeeType::User, true}, Row{Role::DocSpaceAdmin, EmployeeType::RoomAdmin, true},
        Row{Role::DocSpaceAdmin, EmployeeType::DocSpaceAdmin, false},
        Row{Role::DocSpaceAdmin, EmployeeType::Guest, false}, Row{Role::RoomAdmin, EmployeeType::User, true},
        Row{Role::RoomAdmin, EmployeeType::RoomAdmin, false}, Row{Role::RoomAdmin, EmployeeType::DocSpaceAdmin, false},
        Row{Role::RoomAdmin, EmployeeType::Guest, false}, Row{Role::User, EmployeeType::User, false},
        Row{Role::User, EmployeeType::RoomAdmin, false}, Row{Role::User, EmployeeType::DocSpaceAdmin, false},
        Row{Role::User, EmployeeType::Guest, false}, Row{Role::Guest, EmployeeType::User, false},
        Row{Role::Guest, EmployeeType::RoomAdmin, false}, Row{Role::Guest, EmployeeType::DocSpaceAdmin, false},
        Row{Role::Guest, EmployeeType::Guest, false}),
    [](const ::testing::TestParamInfo<Row>& row_info) {
      return std::string(to_string(row_info.param.caller)) + "Invites" + std::string(to_string(row_info.param.invited));
    });

// An omitted type or All is checked as RoomAdmin: a RoomAdmin caller must not slip one through.
TEST(PermissionOmittedType, IsCheckedAsRoomAdmin) {
  const auto invited = effective_type(std::nullopt);
  EXPECT_FALSE(may_invite(Role::RoomAdmin, invited, true));
  EXPECT_TRUE(may_invite(Role::DocSpaceAdmin, invited, true));
  EXPECT_FALSE(may_invite(Role::RoomAdmin, effective_type(EmployeeType::All), true));
}

}  // namespace
}  // namespace invite::domain
