#include "invite/domain/types.hpp"

#include <gtest/gtest.h>

namespace invite::domain {
namespace {

TEST(EmployeeTypeName, MatchesNamesInAnyCase) {
  EXPECT_EQ(employee_type_from_name("User"), EmployeeType::User);
  EXPECT_EQ(employee_type_from_name("user"), EmployeeType::User);
  EXPECT_EQ(employee_type_from_name("USER"), EmployeeType::User);
  EXPECT_EQ(employee_type_from_name("roomadmin"), EmployeeType::RoomAdmin);
  EXPECT_EQ(employee_type_from_name("DOCSPACEADMIN"), EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(employee_type_from_name("gUeSt"), EmployeeType::Guest);
  EXPECT_EQ(employee_type_from_name("All"), EmployeeType::All);
}

TEST(EmployeeTypeName, RejectsUnknownNamesAndNumbersAsText) {
  EXPECT_EQ(employee_type_from_name("Admin"), std::nullopt);
  EXPECT_EQ(employee_type_from_name(""), std::nullopt);
  EXPECT_EQ(employee_type_from_name(" User"), std::nullopt);
  EXPECT_EQ(employee_type_from_name("Users"), std::nullopt);
  EXPECT_EQ(employee_type_from_name("1"), std::nullopt);
}

TEST(EmployeeTypeNumber, AcceptsDocSpaceNumbersZeroToFour) {
  EXPECT_EQ(employee_type_from_number(0), EmployeeType::All);
  EXPECT_EQ(employee_type_from_number(1), EmployeeType::RoomAdmin);
  EXPECT_EQ(employee_type_from_number(2), EmployeeType::Guest);
  EXPECT_EQ(employee_type_from_number(3), EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(employee_type_from_number(4), EmployeeType::User);
  EXPECT_EQ(employee_type_from_number(5), std::nullopt);
  EXPECT_EQ(employee_type_from_number(-1), std::nullopt);
}

TEST(EmployeeTypeName, CanonicalNamesRoundTrip) {
  for (auto type : {EmployeeType::All, EmployeeType::RoomAdmin, EmployeeType::Guest, EmployeeType::DocSpaceAdmin,
                    EmployeeType::User}) {
    EXPECT_EQ(employee_type_from_name(to_string(type)), type);
  }
  EXPECT_EQ(to_string(EmployeeType::DocSpaceAdmin), "DocSpaceAdmin");
}

TEST(EmployeeTypeRank, FollowsDocSpaceOrder) {
  EXPECT_LT(rank(EmployeeType::All), rank(EmployeeType::Guest));
  EXPECT_LT(rank(EmployeeType::Guest), rank(EmployeeType::User));
  EXPECT_LT(rank(EmployeeType::User), rank(EmployeeType::RoomAdmin));
  EXPECT_LT(rank(EmployeeType::RoomAdmin), rank(EmployeeType::DocSpaceAdmin));
}

TEST(EffectiveType, OmittedOrAllBecomesRoomAdmin) {
  EXPECT_EQ(effective_type(std::nullopt), EmployeeType::RoomAdmin);
  EXPECT_EQ(effective_type(EmployeeType::All), EmployeeType::RoomAdmin);
  EXPECT_EQ(effective_type(EmployeeType::User), EmployeeType::User);
  EXPECT_EQ(effective_type(EmployeeType::Guest), EmployeeType::Guest);
  EXPECT_EQ(effective_type(EmployeeType::DocSpaceAdmin), EmployeeType::DocSpaceAdmin);
}

TEST(PaidTypes, OnlyAdminsOccupyASeat) {
  EXPECT_TRUE(is_paid(EmployeeType::RoomAdmin));
  EXPECT_TRUE(is_paid(EmployeeType::DocSpaceAdmin));
  EXPECT_FALSE(is_paid(EmployeeType::User));
  EXPECT_FALSE(is_paid(EmployeeType::Guest));
}

TEST(RoleName, TokenNamesAreExactAndRoundTrip) {
  for (auto role : {Role::Owner, Role::DocSpaceAdmin, Role::RoomAdmin, Role::User, Role::Guest}) {
    EXPECT_EQ(role_from_name(to_string(role)), role);
  }
  EXPECT_EQ(role_from_name("owner"), std::nullopt);
  EXPECT_EQ(role_from_name("Admin"), std::nullopt);
  EXPECT_EQ(role_from_name(""), std::nullopt);
}

}  // namespace
}  // namespace invite::domain
