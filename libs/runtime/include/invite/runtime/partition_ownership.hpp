#pragma once
// Which partitions of its topic a worker or mailer replica owns. Each partition must have exactly one owner,
// so its state has one writer: replicas split the partitions by p % replica_count == replica_index.
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace invite::runtime {

// "all" -> empty list meaning every partition; "0,1,5" -> {0,1,5}; malformed -> nullopt.
std::optional<std::vector<std::int32_t>> parse_partition_list(std::string_view text);

// The partitions this replica owns, ascending. `wanted` empty means all of them; entries beyond
// partition_count are ignored.
std::vector<std::int32_t> owned_partitions(std::int32_t partition_count, const std::vector<std::int32_t>& wanted,
                                           int replica_count, int replica_index);

}  // namespace invite::runtime
