// Which partitions a worker replica owns: every partition must have exactly one writer.
#include "invite/runtime/partition_ownership.hpp"

#include <gtest/gtest.h>

#include <map>
#include <vector>

namespace invite::runtime {
namespace {

using List = std::vector<std::int32_t>;

TEST(ParsePartitionList, AllMeansEveryPartition) {
  const auto parsed = parse_partition_list("all");
  ASSERT_TRUE(parsed);
  EXPECT_TRUE(parsed->empty());
}

TEST(ParsePartitionList, ListsAreSortedAndDeduplicated) {
  EXPECT_EQ(parse_partition_list("0,1,5"), List({0, 1, 5}));
  EXPECT_EQ(parse_partition_list("7"), List({7}));
  EXPECT_EQ(parse_partition_list("5,1,5,0"), List({0, 1, 5}));
}

class MalformedPartitionList : public ::testing::TestWithParam<const char*> {};

TEST_P(MalformedPartitionList, IsRejected) { EXPECT_EQ(parse_partition_list(GetParam()), std::nullopt) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(Table, MalformedPartitionList,
                         ::testing::Values("", ",", "1,", ",1", "1,,2", "a", "1;2", " 1", "1 ", "-1", "1.5", "0x1",
                                           "ALL", "all,1", "99999999999"));

TEST(OwnedPartitions, SingleReplicaOwnsEverything) { EXPECT_EQ(owned_partitions(4, {}, 1, 0), List({0, 1, 2, 3})); }

TEST(OwnedPartitions, WantedListRestrictsAndIgnoresUnknownPartitions) {
  EXPECT_EQ(owned_partitions(6, {1, 4, 9}, 1, 0), List({1, 4}));
  EXPECT_TRUE(owned_partitions(3, {5}, 1, 0).empty());
}

TEST(OwnedPartitions, ReplicasSplitByModulo) {
  EXPECT_EQ(owned_partitions(6, {}, 2, 0), List({0, 2, 4}));
  EXPECT_EQ(owned_partitions(6, {}, 2, 1), List({1, 3, 5}));
  EXPECT_EQ(owned_partitions(7, {}, 3, 2), List({2, 5}));
  EXPECT_EQ(owned_partitions(6, {0, 1, 2, 3}, 2, 1), List({1, 3}));
}

TEST(OwnedPartitions, ReplicaSplitCoversEveryPartitionExactlyOnce) {
  for (int replicas = 1; replicas <= 5; ++replicas) {
    for (std::int32_t partitions = 1; partitions <= 12; ++partitions) {
      std::map<std::int32_t, int> owners;
      for (int index = 0; index < replicas; ++index) {
        const auto owned = owned_partitions(partitions, {}, replicas, index);
        EXPECT_TRUE(std::is_sorted(owned.begin(), owned.end()));
        for (auto p : owned) ++owners[p];
      }
      ASSERT_EQ(owners.size(), static_cast<std::size_t>(partitions)) << replicas << " replicas, " << partitions;
      for (const auto& [p, n] : owners) {
        EXPECT_EQ(n, 1) << "partition " << p << " with " << replicas << " replicas";
        EXPECT_GE(p, 0);
        EXPECT_LT(p, partitions);
      }
    }
  }
}

}  // namespace
}  // namespace invite::runtime
