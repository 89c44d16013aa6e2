#pragma once
// Kubernetes StatefulSet pods are named <set>-<ordinal>; the ordinal is what makes one gateway own its reply
// partition and one worker own its share of the request partitions. The manifests pass the pod name
// (INVITE_POD_NAME from the downward API) and the services derive the index from it.
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "invite/common/flags.hpp"

namespace invite::runtime {

// "invite-gateway-2" -> 2: the decimal digits after the last '-'. An error message when there are none, when
// anything else follows the '-', or when the number does not fit an int32 (Kafka partitions are int32).
std::variant<std::int32_t, std::string> pod_ordinal(std::string_view pod_name);

// The value of `index_flag` (e.g. "reply-partition"), or the ordinal of --pod-name when that is non-empty.
// Both given and disagreeing is an error: one of them is a mistake and guessing which would let two pods share
// a partition. An error message when the pod name has no ordinal or the flag is not a non-negative integer.
std::variant<std::int32_t, std::string> index_from_pod_name(const common::Flags& flags, std::string_view index_flag);

}  // namespace invite::runtime
