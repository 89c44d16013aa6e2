// The worker's follower of invite.email-status.v1, one behaviour per test: which file a status concerns, what it
// stores there, and where a restart resumes.
#include "status_follower.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "invite/store/partition_store.hpp"
#include "support/temp_dir.hpp"

namespace invite::worker {
namespace {

using domain::DeliveryStatus;

constexpr const char* kPortal = "docs.example.com";
constexpr const char* kUserId = "cccccccc-0000-4000-8000-000000000001";
constexpr const char* kJob = "dddddddd-0000-4000-8000-000000000001";
constexpr std::int64_t kInvitedMs = 1'790'000'000'000;
const std::string kTopic(events::topics::kEmailStatus);

events::EmailStatus status_of(DeliveryStatus status, std::int64_t at_ms, std::string user_id = kUserId) {
  events::EmailStatus s;
  s.event_id = "eeeeeeee-0000-4000-8000-000000000001";
  s.occurred_at_ms = at_ms;
  s.request_id = "aaaaaaaa-0000-4000-8000-000000000001";
  s.portal = kPortal;
  s.job_event_id = kJob;
  s.recipient_email = "ann@example.com";
  s.recipient_user_id = std::move(user_id);
  s.status = status;
  s.attempt = 1;
  s.message_id = "<dddddddd-0000-4000-8000-000000000001@example.com>";
  s.culture = "en-US";
  if (status != DeliveryStatus::Sent) s.reason = "550 mailbox unavailable";
  return s;
}

class StatusFollowerTest : public ::testing::Test {
 protected:
  std::unique_ptr<store::PartitionStore> open(std::int32_t partition) {
    auto opened = store::PartitionStore::open(store::PartitionStore::file_for(dir_.path(), partition));
    EXPECT_TRUE(opened) << opened.error().message;
    return opened ? std::move(*opened) : nullptr;
  }

  // A pending user of kPortal with id kUserId in the file.
  void invite(store::PartitionStore& file) {
    domain::User user;
    user.id = kUserId;
    user.portal = kPortal;
    user.email = "ann@example.com";
    user.user_name = "ann";
    user.culture = "en-US";
    user.created_by = "11111111-1111-4111-8111-111111111111";
    user.created_at_ms = kInvitedMs;
    store::RequestCommit commit;
    commit.request_id = "bbbbbbbb-0000-4000-8000-000000000001";
    commit.portal = kPortal;
    commit.create.push_back(user);
    commit.next_offset = 1;
    file.apply(commit);
  }

  static void store_delivery(store::PartitionStore& file, const store::DeliveryOutcome& delivery) {
    store::RequestCommit commit;
    commit.portal = kPortal;
    commit.deliveries.push_back(delivery);
    commit.next_offset = 1;
    file.apply(commit);
  }

  static void store_followed(store::PartitionStore& file, std::int32_t partition, std::int64_t next) {
    store::RequestCommit commit;
    commit.followed.push_back({kTopic, partition, next});
    commit.next_offset = 1;
    file.apply(commit);
  }

  invite::testing::TempDir dir_;
};

TEST_F(StatusFollowerTest, AStatusOfAUserOfTheFileIsItsDeliveryOutcome) {
  auto file = open(0);
  invite(*file);
  const auto delivery = delivery_for(status_of(DeliveryStatus::Failed, kInvitedMs + 5000), kPortal, *file);
  ASSERT_TRUE(delivery);
  EXPECT_EQ(*delivery, (store::DeliveryOutcome{kUserId, DeliveryStatus::Failed, "550 mailbox unavailable",
                                               kInvitedMs + 5000, kJob}));
}

TEST_F(StatusFollowerTest, ASentStatusCarriesNoReason) {
  auto file = open(0);
  invite(*file);
  auto status = status_of(DeliveryStatus::Sent, kInvitedMs + 5000);
  status.reason = "250 ok";
  const auto delivery = delivery_for(status, kPortal, *file);
  ASSERT_TRUE(delivery);
  EXPECT_EQ(delivery->reason, "");
}

TEST_F(StatusFollowerTest, AStatusOfAUserTheFileDoesNotHoldConcernsAnotherFile) {
  auto file = open(0);
  invite(*file);
  EXPECT_FALSE(delivery_for(status_of(DeliveryStatus::Sent, kInvitedMs, "cccccccc-0000-4000-8000-000000000009"),
                            kPortal, *file));
}

TEST_F(StatusFollowerTest, AStatusOfTheSameIdOnAnotherPortalConcernsAnotherFile) {
  auto file = open(0);
  invite(*file);
  EXPECT_FALSE(delivery_for(status_of(DeliveryStatus::Sent, kInvitedMs), "other.example.com", *file));
}

TEST_F(StatusFollowerTest, AStoredFailureShowsInTheUsersInvitation) {
  auto file = open(0);
  invite(*file);
  store_delivery(*file, *delivery_for(status_of(DeliveryStatus::Failed, kInvitedMs + 5000), kPortal, *file));
  const auto person = file->find_people(kPortal, {kUserId}).at(0);
  ASSERT_TRUE(person.invitation.delivery);
  EXPECT_EQ(*person.invitation.delivery,
            (domain::Delivery{DeliveryStatus::Failed, "550 mailbox unavailable", kInvitedMs + 5000}));
}

TEST_F(StatusFollowerTest, AStatusAppliedAgainAfterANewerOneChangesNothing) {
  auto file = open(0);
  invite(*file);
  const auto retrying = *delivery_for(status_of(DeliveryStatus::Retrying, kInvitedMs + 1000), kPortal, *file);
  store_delivery(*file, retrying);
  store_delivery(*file, *delivery_for(status_of(DeliveryStatus::Sent, kInvitedMs + 9000), kPortal, *file));
  store_delivery(*file, retrying);  // read again after a restart
  EXPECT_EQ(file->find_people(kPortal, {kUserId}).at(0).invitation.delivery->status, DeliveryStatus::Sent);
}

TEST_F(StatusFollowerTest, ARestartResumesFromTheSmallestPositionOverTheFiles) {
  auto a = open(0);
  auto b = open(1);
  store_followed(*a, 2, 40);
  store_followed(*b, 2, 25);
  EXPECT_EQ(resume_followed({a.get(), b.get()}, kTopic, 2), 25);
}

TEST_F(StatusFollowerTest, AFileThatNeverFollowedAPartitionResumesItFromTheStart) {
  auto a = open(0);
  auto b = open(1);
  store_followed(*a, 2, 40);
  EXPECT_EQ(resume_followed({a.get(), b.get()}, kTopic, 2), std::nullopt);
}

TEST_F(StatusFollowerTest, PositionsArePerPartition) {
  auto a = open(0);
  store_followed(*a, 0, 7);
  store_followed(*a, 1, 3);
  EXPECT_EQ(resume_followed({a.get()}, kTopic, 0), 7);
  EXPECT_EQ(resume_followed({a.get()}, kTopic, 1), 3);
}

}  // namespace
}  // namespace invite::worker
