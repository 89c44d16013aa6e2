// Collecting a request's records on a partition, and how far the partition's stored offset may move meanwhile.
#include "request_assembler.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <string>

namespace invite::worker {
namespace {

constexpr std::int32_t kPartition = 2;

events::RequestedInvitation record(const std::string& request_id, int index, int count,
                                   std::int64_t deadline_ms = 10'000, const std::string& event_id = "") {
  events::RequestedInvitation r;
  r.event_id = event_id.empty() ? request_id + "-" + std::to_string(index) : event_id;
  r.request_id = request_id;
  r.index = index;
  r.count = count;
  r.deadline_ms = deadline_ms;
  r.portal = "localhost";
  r.inviter_id = "11111111-1111-4111-8111-111111111111";
  r.culture = "en-US";
  r.invitation = {"user" + std::to_string(index) + "@example.com", domain::EmployeeType::User};
  return r;
}

TEST(RequestAssembler, CompletesWhenTheLastRecordArrives) {
  RequestAssembler assembler;
  auto a = assembler.add(kPartition, 10, record("A", 0, 3), "trace-of-first");
  EXPECT_FALSE(a.complete);
  EXPECT_FALSE(a.ignored);
  EXPECT_FALSE(assembler.add(kPartition, 11, record("A", 1, 3), "trace-of-second").complete);
  EXPECT_EQ(assembler.incomplete(), 1u);
  auto last = assembler.add(kPartition, 12, record("A", 2, 3), "");
  ASSERT_TRUE(last.complete);
  EXPECT_FALSE(last.ignored);
  const auto& request = *last.complete;
  EXPECT_EQ(request.first_offset, 10);
  EXPECT_EQ(request.traceparent, "trace-of-first");
  ASSERT_EQ(request.records.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(request.records[static_cast<std::size_t>(i)].index, i);
    EXPECT_EQ(request.records[static_cast<std::size_t>(i)].invitation.email,
              "user" + std::to_string(i) + "@example.com");
  }
  EXPECT_EQ(assembler.incomplete(), 0u);
  EXPECT_EQ(assembler.hold(kPartition), std::nullopt);
}

TEST(RequestAssembler, SingleRecordRequestCompletesAtOnce) {
  RequestAssembler assembler;
  auto result = assembler.add(kPartition, 5, record("A", 0, 1), "");
  ASSERT_TRUE(result.complete);
  EXPECT_EQ(result.complete->records.size(), 1u);
  EXPECT_EQ(assembler.hold(kPartition), std::nullopt);
}

TEST(RequestAssembler, OrdersRecordsByIndexNotArrival) {
  RequestAssembler assembler;
  EXPECT_FALSE(assembler.add(kPartition, 10, record("A", 2, 3), "").complete);
  EXPECT_FALSE(assembler.add(kPartition, 11, record("A", 0, 3), "").complete);
  auto last = assembler.add(kPartition, 12, record("A", 1, 3), "");
  ASSERT_TRUE(last.complete);
  EXPECT_EQ(last.complete->first_offset, 10);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(last.complete->records[i].index, static_cast<int>(i));
}

TEST(RequestAssembler, InterleavedRequestsCompleteIndependentlyAndMoveTheHold) {
  RequestAssembler assembler;
  EXPECT_EQ(assembler.hold(kPartition), std::nullopt);
  EXPECT_FALSE(assembler.add(kPartition, 10, record("A", 0, 2), "").complete);
  EXPECT_EQ(assembler.hold(kPartition), 10);
  EXPECT_FALSE(assembler.add(kPartition, 11, record("B", 0, 3), "").complete);
  EXPECT_EQ(assembler.hold(kPartition), 10);
  EXPECT_FALSE(assembler.add(kPartition, 12, record("C", 0, 2), "").complete);
  EXPECT_EQ(assembler.incomplete(), 3u);

  // C completes first: A still holds the offset.
  auto c = assembler.add(kPartition, 13, record("C", 1, 2), "");
  ASSERT_TRUE(c.complete);
  EXPECT_EQ(c.complete->records[0].request_id, "C");
  EXPECT_EQ(c.complete->first_offset, 12);
  EXPECT_EQ(assembler.hold(kPartition), 10);

  // A completes: B's first record now holds it.
  auto a = assembler.add(kPartition, 14, record("A", 1, 2), "");
  ASSERT_TRUE(a.complete);
  EXPECT_EQ(a.complete->records[1].request_id, "A");
  EXPECT_EQ(assembler.hold(kPartition), 11);

  EXPECT_FALSE(assembler.add(kPartition, 15, record("B", 1, 3), "").complete);
  auto b = assembler.add(kPartition, 16, record("B", 2, 3), "");
  ASSERT_TRUE(b.complete);
  EXPECT_EQ(b.complete->first_offset, 11);
  EXPECT_EQ(assembler.hold(kPartition), std::nullopt);
  EXPECT_EQ(assembler.incomplete(), 0u);
}

TEST(RequestAssembler, PartitionsAreIndependent) {
  RequestAssembler assembler;
  EXPECT_FALSE(assembler.add(0, 100, record("A", 0, 2), "").complete);
  EXPECT_FALSE(assembler.add(1, 7, record("B", 0, 2), "").complete);
  EXPECT_EQ(assembler.hold(0), 100);
  EXPECT_EQ(assembler.hold(1), 7);
  EXPECT_EQ(assembler.hold(3), std::nullopt);
  ASSERT_TRUE(assembler.add(1, 8, record("B", 1, 2), "").complete);
  EXPECT_EQ(assembler.hold(0), 100);
  EXPECT_EQ(assembler.hold(1), std::nullopt);
}

TEST(RequestAssembler, DuplicateIndexIsIgnoredAndTheFirstCopyKept) {
  RequestAssembler assembler;
  EXPECT_FALSE(assembler.add(kPartition, 10, record("A", 0, 2, 10'000, "first-copy"), "").complete);
  auto duplicate = assembler.add(kPartition, 11, record("A", 0, 2, 10'000, "second-copy"), "");
  EXPECT_FALSE(duplicate.complete);
  ASSERT_TRUE(duplicate.ignored);
  EXPECT_NE(duplicate.ignored->find("duplicate"), std::string::npos) << *duplicate.ignored;
  EXPECT_EQ(assembler.hold(kPartition), 10);

  auto last = assembler.add(kPartition, 12, record("A", 1, 2), "");
  ASSERT_TRUE(last.complete) << "the duplicate must not count towards completion early or late";
  EXPECT_EQ(last.complete->records[0].event_id, "first-copy");
  EXPECT_EQ(last.complete->first_offset, 10);
}

TEST(RequestAssembler, DuplicateDoesNotCompleteARequest) {
  RequestAssembler assembler;
  EXPECT_FALSE(assembler.add(kPartition, 10, record("A", 0, 2), "").complete);
  EXPECT_FALSE(assembler.add(kPartition, 11, record("A", 0, 2), "").complete);
  EXPECT_EQ(assembler.incomplete(), 1u);
}

TEST(RequestAssembler, InconsistentCountIsIgnored) {
  RequestAssembler assembler;
  EXPECT_FALSE(assembler.add(kPartition, 10, record("A", 0, 2), "").complete);
  auto mismatch = assembler.add(kPartition, 11, record("A", 1, 3), "");
  EXPECT_FALSE(mismatch.complete);
  ASSERT_TRUE(mismatch.ignored);
  EXPECT_NE(mismatch.ignored->find("count"), std::string::npos) << *mismatch.ignored;

  auto last = assembler.add(kPartition, 12, record("A", 1, 2), "");
  ASSERT_TRUE(last.complete);
  EXPECT_EQ(last.complete->records.size(), 2u);
}

TEST(RequestAssembler, DropExpiredDropsOnlyRequestsPastTheirDeadline) {
  RequestAssembler assembler;
  assembler.add(kPartition, 10, record("early", 0, 2, 1'000), "");
  assembler.add(kPartition, 11, record("late", 0, 3, 2'000), "");
  assembler.add(kPartition, 12, record("late", 1, 3, 2'000), "");
  assembler.add(0, 50, record("other-partition", 0, 2, 1'000), "");
  EXPECT_EQ(assembler.hold(kPartition), 10);

  EXPECT_TRUE(assembler.drop_expired(kPartition, 1'000).empty()) << "the deadline itself is not past";

  const auto dropped = assembler.drop_expired(kPartition, 1'500);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].request_id, "early");
  EXPECT_EQ(dropped[0].portal, "localhost");
  EXPECT_EQ(dropped[0].received, 1);
  EXPECT_EQ(dropped[0].count, 2);
  EXPECT_EQ(assembler.hold(kPartition), 11) << "the dropped request no longer holds the offset";
  EXPECT_EQ(assembler.hold(0), 50) << "other partitions are untouched";
  EXPECT_EQ(assembler.incomplete(), 2u);

  const auto second = assembler.drop_expired(kPartition, 2'001);
  ASSERT_EQ(second.size(), 1u);
  EXPECT_EQ(second[0].request_id, "late");
  EXPECT_EQ(second[0].received, 2);
  EXPECT_EQ(second[0].count, 3);
  EXPECT_EQ(assembler.hold(kPartition), std::nullopt);
  EXPECT_TRUE(assembler.drop_expired(kPartition, 99'999).empty());
}

TEST(RequestAssembler, HugeCountCostsNoMoreThanTheRecordsReceived) {
  // The decoder accepts any count up to INT_MAX; one corrupt record must not exhaust the worker's memory
  // (which would crash it on the same record after every restart).
  RequestAssembler assembler;
  const int huge = std::numeric_limits<int>::max();
  auto result = assembler.add(kPartition, 10, record("huge", huge - 1, huge, 1'000), "");
  EXPECT_FALSE(result.complete);
  EXPECT_FALSE(result.ignored);
  EXPECT_EQ(assembler.hold(kPartition), 10);
  const auto dropped = assembler.drop_expired(kPartition, 2'000);
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0].count, huge);
  EXPECT_EQ(dropped[0].received, 1);
  EXPECT_EQ(assembler.hold(kPartition), std::nullopt);
}

}  // namespace
}  // namespace invite::worker
