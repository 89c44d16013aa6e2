#include "invite/domain/plan.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "invite/domain/validation.hpp"

namespace invite::domain {
namespace {

constexpr std::int64_t kNow = 1795690800123;       // 2026-11-26T11:00:00.123Z
constexpr std::int64_t kLastMs = 1795737599999;    // 2026-11-26T23:59:59.999Z
constexpr std::int64_t kMidnight = 1795737600000;  // 2026-11-27T00:00:00.000Z
constexpr const char* kInviter = "inviter-1";

Portal make_portal() {
  Portal portal;
  portal.host = "docspace.example.com";
  portal.display_name = "Example";
  portal.base_url = "https://docspace.example.com";
  portal.default_culture = "en-US";
  return portal;
}

User stored(const std::string& id, const std::string& email, EmployeeType type,
            EmployeeStatus status = EmployeeStatus::Active) {
  User user;
  user.id = id;
  user.portal = "docspace.example.com";
  user.email = email;
  user.first_name = "Stored";
  user.last_name = "User";
  user.user_name = "stored";
  user.type = type;
  user.activation_status = ActivationStatus::Activated;
  user.status = status;
  user.culture = "fr-FR";
  user.created_by = "someone-else";
  user.created_at_ms = 1600000000000;
  return user;
}

class PlanTest : public ::testing::Test {
 protected:
  PlanInput input(std::vector<Invitation> invitations) {
    PlanInput in;
    in.portal = &portal_;
    in.invitations = std::move(invitations);
    in.culture = "de-DE";
    in.inviter_id = kInviter;
    in.now_ms = kNow;
    return in;
  }

  void add_existing(PlanInput& in, const User& user) { in.existing.emplace(normalize_email(user.email), user); }

  Plan plan(const PlanInput& in) {
    return plan_request(in, [this] { return "new-" + std::to_string(++ids_issued_); });
  }

  static std::vector<std::string> emails(const std::vector<User>& users) {
    std::vector<std::string> out;
    for (const auto& user : users) out.push_back(user.email);
    return out;
  }

  static void expect_nothing_applied(const Plan& result) {
    EXPECT_TRUE(result.created.empty());
    EXPECT_TRUE(result.raised.empty());
    EXPECT_TRUE(result.users.empty());
  }

  Portal portal_ = make_portal();
  int ids_issued_ = 0;
};

TEST_F(PlanTest, SingleNewUserIsCreatedPending) {
  const auto result = plan(input({{"Anna.Smith@Example.com", EmployeeType::User}}));
  ASSERT_EQ(result.outcome, Outcome::Ok);
  EXPECT_TRUE(result.disabled_email.empty());
  EXPECT_FALSE(result.seats.has_value());
  EXPECT_FALSE(result.rate_limit.has_value());
  ASSERT_EQ(result.created.size(), 1U);
  const User& user = result.created[0];
  EXPECT_EQ(user.id, "new-1");
  EXPECT_EQ(user.portal, "docspace.example.com");
  EXPECT_EQ(user.email, "Anna.Smith@Example.com");  // as given, case kept
  EXPECT_EQ(user.first_name, "");
  EXPECT_EQ(user.last_name, "");
  EXPECT_EQ(user.user_name, "Anna.Smith");
  EXPECT_EQ(user.type, EmployeeType::User);
  EXPECT_EQ(user.activation_status, ActivationStatus::Pending);
  EXPECT_EQ(user.status, EmployeeStatus::Pending);
  EXPECT_EQ(user.culture, "de-DE");
  EXPECT_EQ(user.created_by, kInviter);
  EXPECT_EQ(user.created_at_ms, kNow);
  EXPECT_TRUE(result.raised.empty());
  ASSERT_EQ(result.users.size(), 1U);
  EXPECT_EQ(result.users[0], user);
}

TEST_F(PlanTest, EmptyRequestIsOkAndEmpty) {
  const auto result = plan(input({}));
  EXPECT_EQ(result.outcome, Outcome::Ok);
  expect_nothing_applied(result);
}

TEST_F(PlanTest, ExistingUserIsFoundCaseInsensitivelyAndLeftUnchanged) {
  auto in = input({{"bob@EXAMPLE.com", EmployeeType::User}});
  const User bob = stored("u-bob", "Bob@example.com", EmployeeType::User);
  add_existing(in, bob);
  const auto result = plan(in);
  ASSERT_EQ(result.outcome, Outcome::Ok);
  EXPECT_TRUE(result.created.empty());
  EXPECT_TRUE(result.raised.empty());
  ASSERT_EQ(result.users.size(), 1U);
  EXPECT_EQ(result.users[0], bob);
  EXPECT_EQ(ids_issued_, 0);
}

TEST_F(PlanTest, ExistingUserInvitedAsRoomAdminIsRaised) {
  auto in = input({{"bob@example.com", EmployeeType::RoomAdmin}});
  const User bob = stored("u-bob", "bob@example.com", EmployeeType::User);
  add_existing(in, bob);
  const auto result = plan(in);
  ASSERT_EQ(result.outcome, Outcome::Ok);
  EXPECT_TRUE(result.created.empty());
  User raised = bob;
  raised.type = EmployeeType::RoomAdmin;
  ASSERT_EQ(result.raised.size(), 1U);
  EXPECT_EQ(result.raised[0], raised);  // only the type changes
  ASSERT_EQ(result.users.size(), 1U);
  EXPECT_EQ(result.users[0], raised);
}

TEST_F(PlanTest, ExistingRoomAdminInvitedAsUserStaysRoomAdmin) {
  auto in = input({{"ann@example.com", EmployeeType::User}, {"gus@example.com", EmployeeType::Guest}});
  add_existing(in, stored("u-ann", "ann@example.com", EmployeeType::RoomAdmin));
  add_existing(in, stored("u-gus", "gus@example.com", EmployeeType::User));
  const auto result = plan(in);
  ASSERT_EQ(result.outcome, Outcome::Ok);
  EXPECT_TRUE(result.raised.empty());
  ASSERT_EQ(result.users.size(), 2U);
  EXPECT_EQ(result.users[0].type, EmployeeType::RoomAdmin);
  EXPECT_EQ(result.users[1].type, EmployeeType::User);
}

TEST_F(PlanTest, RepeatedNewEmailCreatesOnceWithTheHighestType) {
  const auto result = plan(input({{"dup@example.com", EmployeeType::User},
                                  {"DUP@example.com", EmployeeType::RoomAdmin},
                                  {"dup@example.com", EmployeeType::Guest}}));
  ASSERT_EQ(result.outcome, Outcome::Ok);
  EXPECT_EQ(ids_issued_, 1);
  ASSERT_EQ(result.created.size(), 1U);
  EXPECT_EQ(result.created[0].email, "dup@example.com");  // the first occurrence's spelling
  EXPECT_EQ(result.created[0].type, EmployeeType::RoomAdmin);
  EXPECT_TRUE(result.raised.empty());  // raised lists stored users only
  ASSERT_EQ(result.users.size(), 1U);
  EXPECT_EQ(result.users[0], result.created[0]);
}

TEST_F(PlanTest, RepeatedExistingEmailIsRaisedOnceWithItsFinalType) {
  auto in = input({{"old@example.com", EmployeeType::RoomAdmin},
                   {"old@example.com", EmployeeType::DocSpaceAdmin},
                   {"Old@Example.com", EmployeeType::User}});
  add_existing(in, stored("u-old", "old@example.com", EmployeeType::Guest));
  const auto result = plan(in);
  ASSERT_EQ(result.outcome, Outcome::Ok);
  EXPECT_TRUE(result.created.empty());
  ASSERT_EQ(result.raised.size(), 1U);
  EXPECT_EQ(result.raised[0].type, EmployeeType::DocSpaceAdmin);
  ASSERT_EQ(result.users.size(), 1U);
  EXPECT_EQ(result.users[0].type, EmployeeType::DocSpaceAdmin);
}

TEST_F(PlanTest, DisabledUserRejectsTheWholeRequest) {
  auto in = input({{"new1@example.com", EmployeeType::User},
                   {"Gone@Example.com", EmployeeType::User},
                   {"new2@example.com", EmployeeType::User}});
  add_existing(in, stored("u-gone", "gone@example.com", EmployeeType::User, EmployeeStatus::Terminated));
  const auto result = plan(in);
  EXPECT_EQ(result.outcome, Outcome::UserDisabled);
  EXPECT_EQ(result.disabled_email, "Gone@Example.com");  // as invited
  EXPECT_FALSE(result.rate_limit.has_value());
  expect_nothing_applied(result);
}

TEST_F(PlanTest, DisabledUserIsCheckedBeforeSeatsAndBudget) {
  portal_.paid_seats = 0;
  portal_.daily_invitation_budget = 0;
  auto in = input({{"admin@example.com", EmployeeType::DocSpaceAdmin}, {"gone@example.com", EmployeeType::Guest}});
  add_existing(in, stored("u-gone", "gone@example.com", EmployeeType::Guest, EmployeeStatus::Terminated));
  EXPECT_EQ(plan(in).outcome, Outcome::UserDisabled);
}

TEST_F(PlanTest, PaidSeatsExactBoundary) {
  portal_.paid_seats = 5;
  auto in = input({{"a1@example.com", EmployeeType::RoomAdmin},
                   {"a2@example.com", EmployeeType::DocSpaceAdmin},
                   {"u1@example.com", EmployeeType::User},
                   {"g1@example.com", EmployeeType::Guest}});
  in.paid_seats_in_use = 3;  // free = 2, needed = 2
  const auto fits = plan(in);
  ASSERT_EQ(fits.outcome, Outcome::Ok);
  EXPECT_EQ(fits.created.size(), 4U);

  in.invitations.push_back({"a3@example.com", EmployeeType::RoomAdmin});  // needed = 3
  const auto over = plan(in);
  EXPECT_EQ(over.outcome, Outcome::PaidSeatsExceeded);
  EXPECT_EQ(over.seats, (SeatShortage{3, 2}));
  EXPECT_FALSE(over.rate_limit.has_value());
  expect_nothing_applied(over);
}

TEST_F(PlanTest, PaidSeatsOverbookedPortalHasNoFreeSeat) {
  portal_.paid_seats = 2;
  auto in = input({{"a1@example.com", EmployeeType::RoomAdmin}});
  in.paid_seats_in_use = 4;
  const auto result = plan(in);
  EXPECT_EQ(result.outcome, Outcome::PaidSeatsExceeded);
  EXPECT_EQ(result.seats, (SeatShortage{1, 0}));

  // Unpaid invitations still pass on a full portal.
  in.invitations = {{"u1@example.com", EmployeeType::User}, {"g1@example.com", EmployeeType::Guest}};
  EXPECT_EQ(plan(in).outcome, Outcome::Ok);
}

TEST_F(PlanTest, NoPaidSeatLimitWhenUnset) {
  std::vector<Invitation> invitations;
  for (int i = 0; i < 50; ++i)
    invitations.push_back({"admin" + std::to_string(i) + "@example.com", EmployeeType::RoomAdmin});
  auto in = input(invitations);
  in.paid_seats_in_use = 1000;
  const auto result = plan(in);
  EXPECT_EQ(result.outcome, Outcome::Ok);
  EXPECT_EQ(result.created.size(), 50U);
}

TEST_F(PlanTest, RaiseToAPaidTypeConsumesASeat) {
  portal_.paid_seats = 3;
  auto in = input({{"bob@example.com", EmployeeType::RoomAdmin}, {"new@example.com", EmployeeType::RoomAdmin}});
  in.paid_seats_in_use = 2;  // free = 1
  add_existing(in, stored("u-bob", "bob@example.com", EmployeeType::User));
  const auto over = plan(in);
  EXPECT_EQ(over.outcome, Outcome::PaidSeatsExceeded);
  EXPECT_EQ(over.seats, (SeatShortage{2, 1}));

  in.invitations.pop_back();
  const auto fits = plan(in);
  ASSERT_EQ(fits.outcome, Outcome::Ok);
  ASSERT_EQ(fits.raised.size(), 1U);
  EXPECT_EQ(fits.raised[0].type, EmployeeType::RoomAdmin);
}

TEST_F(PlanTest, RaiseBetweenPaidTypesOrToAnUnpaidTypeNeedsNoSeat) {
  portal_.paid_seats = 1;
  auto in = input({{"ra@example.com", EmployeeType::DocSpaceAdmin}, {"guest@example.com", EmployeeType::User}});
  in.paid_seats_in_use = 1;  // free = 0
  add_existing(in, stored("u-ra", "ra@example.com", EmployeeType::RoomAdmin));
  add_existing(in, stored("u-guest", "guest@example.com", EmployeeType::Guest));
  const auto result = plan(in);
  ASSERT_EQ(result.outcome, Outcome::Ok);
  ASSERT_EQ(result.raised.size(), 2U);
  EXPECT_EQ(result.raised[0].type, EmployeeType::DocSpaceAdmin);
  EXPECT_EQ(result.raised[1].type, EmployeeType::User);
}

TEST_F(PlanTest, DailyBudgetExactBoundary) {
  portal_.daily_invitation_budget = 10;
  auto in = input({{"n1@example.com", EmployeeType::User}, {"n2@example.com", EmployeeType::Guest}});
  in.invited_today = 8;
  const auto fits = plan(in);
  ASSERT_EQ(fits.outcome, Outcome::Ok);
  EXPECT_EQ(fits.created.size(), 2U);

  in.invitations.push_back({"n3@example.com", EmployeeType::User});
  const auto over = plan(in);
  EXPECT_EQ(over.outcome, Outcome::DailyBudgetExceeded);
  ASSERT_TRUE(over.rate_limit.has_value());
  EXPECT_EQ(over.rate_limit->limit, 10);
  EXPECT_EQ(over.rate_limit->remaining, 2);
  EXPECT_EQ(over.rate_limit->reset_at_ms, kMidnight);
  expect_nothing_applied(over);
}

TEST_F(PlanTest, DailyBudgetResetsAtTheNextUtcMidnight) {
  portal_.daily_invitation_budget = 1;
  auto in = input({{"n1@example.com", EmployeeType::User}});
  in.invited_today = 1;
  in.now_ms = kLastMs;
  const auto last_ms = plan(in);
  ASSERT_TRUE(last_ms.rate_limit.has_value());
  EXPECT_EQ(last_ms.rate_limit->reset_at_ms, kMidnight);
  EXPECT_EQ(last_ms.rate_limit->remaining, 0);

  // At midnight itself the day has turned: the reset is a full day later.
  in.now_ms = kMidnight;
  const auto next_day = plan(in);
  ASSERT_TRUE(next_day.rate_limit.has_value());
  EXPECT_EQ(next_day.rate_limit->reset_at_ms, kMidnight + 24LL * 3600 * 1000);
}

TEST_F(PlanTest, DailyBudgetCountsNewUsersOnly) {
  portal_.daily_invitation_budget = 5;
  auto in = input({{"old@example.com", EmployeeType::RoomAdmin}, {"old@example.com", EmployeeType::User}});
  in.invited_today = 7;  // over budget already (the budget was lowered): remaining never goes negative
  add_existing(in, stored("u-old", "old@example.com", EmployeeType::User));
  const auto existing_only = plan(in);
  EXPECT_EQ(existing_only.outcome, Outcome::Ok);
  EXPECT_EQ(existing_only.raised.size(), 1U);

  in.invitations.push_back({"new@example.com", EmployeeType::User});
  const auto with_new = plan(in);
  EXPECT_EQ(with_new.outcome, Outcome::DailyBudgetExceeded);
  ASSERT_TRUE(with_new.rate_limit.has_value());
  EXPECT_EQ(with_new.rate_limit->remaining, 0);
}

TEST_F(PlanTest, PaidSeatsAreCheckedBeforeTheBudget) {
  portal_.paid_seats = 0;
  portal_.daily_invitation_budget = 0;
  const auto result = plan(input({{"a@example.com", EmployeeType::RoomAdmin}}));
  EXPECT_EQ(result.outcome, Outcome::PaidSeatsExceeded);
  EXPECT_FALSE(result.rate_limit.has_value());
}

TEST_F(PlanTest, ResponseListsDistinctEmailsInRequestOrder) {
  auto in = input({{"carol@example.com", EmployeeType::User},
                   {"alice@example.com", EmployeeType::User},
                   {"bob@example.com", EmployeeType::Guest},
                   {"ALICE@example.com", EmployeeType::RoomAdmin},
                   {"carol@example.com", EmployeeType::User},
                   {"dave@example.com", EmployeeType::User}});
  add_existing(in, stored("u-alice", "Alice@example.com", EmployeeType::User));
  const auto result = plan(in);
  ASSERT_EQ(result.outcome, Outcome::Ok);
  EXPECT_EQ(emails(result.users), (std::vector<std::string>{"carol@example.com", "Alice@example.com", "bob@example.com",
                                                            "dave@example.com"}));
  EXPECT_EQ(emails(result.created),
            (std::vector<std::string>{"carol@example.com", "bob@example.com", "dave@example.com"}));
  EXPECT_EQ(result.users[0].id, "new-1");
  EXPECT_EQ(result.users[2].id, "new-2");
  EXPECT_EQ(result.users[3].id, "new-3");
  ASSERT_EQ(result.raised.size(), 1U);
  EXPECT_EQ(result.raised[0].id, "u-alice");
  EXPECT_EQ(result.users[1].type, EmployeeType::RoomAdmin);
}

}  // namespace
}  // namespace invite::domain
