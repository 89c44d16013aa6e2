#include "invite/domain/people_admin.hpp"

#include <gtest/gtest.h>

namespace invite::domain {
namespace {

constexpr std::string_view kCallerId = "00000000-0000-4000-8000-0000000000c1";

User pending(EmployeeType type) {
  User user;
  user.id = "00000000-0000-4000-8000-0000000000aa";
  user.email = "someone@example.com";
  user.type = type;
  return user;
}

User with_status(User user, EmployeeStatus status) {
  user.status = status;
  if (status == EmployeeStatus::Active) user.activation_status = ActivationStatus::Activated;
  return user;
}

TEST(MayResendAll, IsAllowedToRoomAdminsAndAbove) {
  EXPECT_TRUE(may_resend_all(Role::Owner));
  EXPECT_TRUE(may_resend_all(Role::DocSpaceAdmin));
  EXPECT_TRUE(may_resend_all(Role::RoomAdmin));
}

TEST(MayResendAll, IsRefusedToUsersAndGuests) {
  EXPECT_FALSE(may_resend_all(Role::User));
  EXPECT_FALSE(may_resend_all(Role::Guest));
}

TEST(MayReach, OwnerReachesDocSpaceAdmins) { EXPECT_TRUE(may_reach(Role::Owner, EmployeeType::DocSpaceAdmin)); }

TEST(MayReach, DocSpaceAdminDoesNotReachDocSpaceAdmins) {
  EXPECT_FALSE(may_reach(Role::DocSpaceAdmin, EmployeeType::DocSpaceAdmin));
}

TEST(MayReach, DocSpaceAdminReachesRoomAdmins) { EXPECT_TRUE(may_reach(Role::DocSpaceAdmin, EmployeeType::RoomAdmin)); }

TEST(MayReach, RoomAdminDoesNotReachRoomAdmins) { EXPECT_FALSE(may_reach(Role::RoomAdmin, EmployeeType::RoomAdmin)); }

TEST(MayReach, RoomAdminReachesUsers) { EXPECT_TRUE(may_reach(Role::RoomAdmin, EmployeeType::User)); }

TEST(MayReach, RoomAdminReachesGuests) { EXPECT_TRUE(may_reach(Role::RoomAdmin, EmployeeType::Guest)); }

TEST(MayReach, UserReachesNobody) { EXPECT_FALSE(may_reach(Role::User, EmployeeType::User)); }

TEST(MayReach, GuestReachesNobody) { EXPECT_FALSE(may_reach(Role::Guest, EmployeeType::Guest)); }

TEST(DecideResend, ResendsToAReachablePendingUser) {
  EXPECT_EQ(decide_resend(Role::RoomAdmin, pending(EmployeeType::User)), ResendDecision::Resend);
}

TEST(DecideResend, SkipsAnUnreachableTarget) {
  EXPECT_EQ(decide_resend(Role::RoomAdmin, pending(EmployeeType::RoomAdmin)), ResendDecision::SkipUnreachable);
}

TEST(DecideResend, SkipsAnActivatedUser) {
  EXPECT_EQ(decide_resend(Role::Owner, with_status(pending(EmployeeType::User), EmployeeStatus::Active)),
            ResendDecision::SkipNotPending);
}

TEST(DecideResend, SkipsADisabledUser) {
  EXPECT_EQ(decide_resend(Role::Owner, with_status(pending(EmployeeType::User), EmployeeStatus::Terminated)),
            ResendDecision::SkipNotPending);
}

TEST(DecideDisable, AllowsAnAdminToDisableAPendingUser) {
  EXPECT_EQ(decide_disable({Role::DocSpaceAdmin, kCallerId}, pending(EmployeeType::User), false),
            RevokeDecision::Allow);
}

TEST(DecideDisable, RefusesTheOwnerAsTarget) {
  EXPECT_EQ(decide_disable({Role::Owner, kCallerId}, pending(EmployeeType::DocSpaceAdmin), true),
            RevokeDecision::TargetIsOwner);
}

TEST(DecideDisable, RefusesTheCallerAsTarget) {
  auto self = pending(EmployeeType::DocSpaceAdmin);
  self.id = std::string(kCallerId);
  EXPECT_EQ(decide_disable({Role::Owner, kCallerId}, self, false), RevokeDecision::TargetIsCaller);
}

TEST(DecideDisable, RefusesARoomAdminCaller) {
  EXPECT_EQ(decide_disable({Role::RoomAdmin, kCallerId}, pending(EmployeeType::User), false),
            RevokeDecision::Forbidden);
}

TEST(DecideDisable, RefusesAnUnreachableTarget) {
  EXPECT_EQ(decide_disable({Role::DocSpaceAdmin, kCallerId}, pending(EmployeeType::DocSpaceAdmin), false),
            RevokeDecision::Forbidden);
}

TEST(DecideDelete, AllowsADisabledUser) {
  EXPECT_EQ(decide_delete({Role::Owner, kCallerId},
                          with_status(pending(EmployeeType::User), EmployeeStatus::Terminated), false),
            RevokeDecision::Allow);
}

TEST(DecideDelete, RefusesAUserThatIsNotDisabled) {
  EXPECT_EQ(decide_delete({Role::Owner, kCallerId}, pending(EmployeeType::User), false), RevokeDecision::NotSuspended);
}

TEST(DecideDelete, RefusesTheOwnerBeforeItsStatus) {
  EXPECT_EQ(decide_delete({Role::Owner, kCallerId}, pending(EmployeeType::DocSpaceAdmin), true),
            RevokeDecision::TargetIsOwner);
}

}  // namespace
}  // namespace invite::domain
