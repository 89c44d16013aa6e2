#include "invite/runtime/pod_ordinal.hpp"

#include <charconv>
#include <limits>

#include "invite/common/text.hpp"

namespace invite::runtime {

common::Result<std::int32_t> pod_ordinal(std::string_view pod_name) {
  const auto no_ordinal = [&] {
    return common::fail("pod name '" + std::string(pod_name) +
                        "' has no ordinal: expected a StatefulSet pod name such as invite-gateway-0");
  };
  const auto dash = pod_name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return no_ordinal();
  const std::string_view digits = pod_name.substr(dash + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return no_ordinal();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > std::numeric_limits<std::int32_t>::max()) {
    return common::fail("pod name '" + std::string(pod_name) + "' has an ordinal too large for a partition number");
  }
  return static_cast<std::int32_t>(value);
}

void add_pod_index_flags(Cli& cli, PodIndex& index, std::string flag, std::string default_text, std::string help,
                         std::string pod_name_help) {
  index.flag = flag;
  cli.value<std::int32_t>(
      flag, index.value, std::move(default_text),
      [](std::string_view raw) -> common::Result<std::int32_t> {
        const std::string_view text = common::trim(raw);
        std::int64_t value = -1;
        const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value < 0 ||
            value > std::numeric_limits<std::int32_t>::max()) {
          return common::fail("must be a non-negative integer, got '" + std::string(raw) + "'");
        }
        return static_cast<std::int32_t>(value);
      },
      std::move(help));
  cli.text("pod-name", index.pod_name, "", std::move(pod_name_help));
}

common::Result<std::int32_t> index_from_pod_name(const Cli& cli, const PodIndex& index) {
  const std::string& name = index.flag;
  if (index.pod_name.empty()) return index.value;

  auto ordinal = pod_ordinal(index.pod_name);
  if (!ordinal) return common::fail("--pod-name: " + ordinal.error().message);
  const std::int32_t from_pod = *ordinal;
  if (cli.given(name) && index.value != from_pod) {
    return common::fail("--pod-name " + index.pod_name + " means --" + name + " " + std::to_string(from_pod) +
                        ", but --" + name + " " + std::to_string(index.value) + " is given too: set only one of them");
  }
  return from_pod;
}

common::Result<std::int32_t> replica_index(const Cli& cli, const PodIndex& index, std::int64_t replica_count) {
  auto resolved = index_from_pod_name(cli, index);
  if (resolved && *resolved >= replica_count) {
    return common::fail("replica index " + std::to_string(*resolved) + " is not below --replica-count " +
                        std::to_string(replica_count));
  }
  return resolved;
}

void add_replica_flags(Cli& cli, ReplicaFlags& flags, const std::string& pod_example, const std::string& topic) {
  cli.integer("replica-count", flags.count, "1", 1, std::numeric_limits<std::int32_t>::max(),
              "number of replicas sharing the partitions of " + topic);
  add_pod_index_flags(cli, flags.index, "replica-index", "0",
                      "this replica's index (a StatefulSet ordinal): owns partitions p % count == index",
                      "StatefulSet pod name (e.g. " + pod_example + "); its ordinal becomes --replica-index");
}

common::Result<Replica> resolve_replica(const Cli& cli, const ReplicaFlags& flags) {
  const auto index = replica_index(cli, flags.index, flags.count);
  if (!index) return index.error();
  return Replica{static_cast<int>(flags.count), *index};
}

}  // namespace invite::runtime
