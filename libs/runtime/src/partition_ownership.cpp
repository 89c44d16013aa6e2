#include "invite/runtime/partition_ownership.hpp"

#include <algorithm>
#include <charconv>

namespace invite::runtime {

std::optional<std::vector<std::int32_t>> parse_partition_list(std::string_view text) {
  std::vector<std::int32_t> partitions;
  if (text == "all") return partitions;
  while (true) {
    const auto comma = text.find(',');
    const auto item = text.substr(0, comma);
    std::int32_t value = -1;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), value);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size() || value < 0) return std::nullopt;
    partitions.push_back(value);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  std::sort(partitions.begin(), partitions.end());
  partitions.erase(std::unique(partitions.begin(), partitions.end()), partitions.end());
  return partitions;
}

std::vector<std::int32_t> owned_partitions(std::int32_t partition_count, const std::vector<std::int32_t>& wanted,
                                           int replica_count, int replica_index) {
  std::vector<std::int32_t> owned;
  for (std::int32_t p = 0; p < partition_count; ++p) {
    if (!wanted.empty() && !std::binary_search(wanted.begin(), wanted.end(), p)) continue;
    if (p % replica_count != replica_index) continue;
    owned.push_back(p);
  }
  return owned;
}

}  // namespace invite::runtime
