#include "invite/runtime/pod_ordinal.hpp"

#include <charconv>
#include <limits>

namespace invite::runtime {

std::variant<std::int32_t, std::string> pod_ordinal(std::string_view pod_name) {
  const auto no_ordinal = [&] {
    return "pod name '" + std::string(pod_name) +
           "' has no ordinal: expected a StatefulSet pod name such as invite-gateway-0";
  };
  const auto dash = pod_name.rfind('-');
  if (dash == std::string_view::npos || dash == 0) return no_ordinal();
  const std::string_view digits = pod_name.substr(dash + 1);
  if (digits.empty() || digits.find_first_not_of("0123456789") != std::string_view::npos) return no_ordinal();
  std::int64_t value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size() || value > std::numeric_limits<std::int32_t>::max()) {
    return "pod name '" + std::string(pod_name) + "' has an ordinal too large for a partition number";
  }
  return static_cast<std::int32_t>(value);
}

std::variant<std::int32_t, std::string> index_from_pod_name(const common::Flags& flags, std::string_view index_flag) {
  const std::string name(index_flag);
  const auto explicit_value = flags.get_int(name);
  if (!explicit_value || *explicit_value < 0 || *explicit_value > std::numeric_limits<std::int32_t>::max()) {
    return "--" + name + " must be a non-negative integer, got '" + flags.get(name) + "'";
  }
  const std::string pod_name = flags.get("pod-name");
  if (pod_name.empty()) return static_cast<std::int32_t>(*explicit_value);

  auto ordinal = pod_ordinal(pod_name);
  if (auto* error = std::get_if<std::string>(&ordinal)) return "--pod-name: " + *error;
  const std::int32_t from_pod = std::get<std::int32_t>(ordinal);
  if (flags.given(name) && *explicit_value != from_pod) {
    return "--pod-name " + pod_name + " means --" + name + " " + std::to_string(from_pod) + ", but --" + name + " " +
           std::to_string(*explicit_value) + " is given too: set only one of them";
  }
  return from_pod;
}

}  // namespace invite::runtime
