#pragma once
// Kubernetes StatefulSet pods are named <set>-<ordinal>; the ordinal is what makes one gateway own its reply
// partition and one worker own its share of the request partitions. The manifests pass the pod name
// (INVITE_POD_NAME from the downward API) and the services derive the index from it.
#include <cstdint>
#include <string>
#include <string_view>

#include "invite/common/result.hpp"
#include "invite/runtime/cli.hpp"

namespace invite::runtime {

// "invite-gateway-2" -> 2: the decimal digits after the last '-'. An error when there are none, when
// anything else follows the '-', or when the number does not fit an int32 (Kafka partitions are int32).
common::Result<std::int32_t> pod_ordinal(std::string_view pod_name);

// An index flag (e.g. --reply-partition, a non-negative int32) and --pod-name, whose ordinal may stand in for it.
struct PodIndex {
  std::string flag;  // "reply-partition"
  std::int32_t value = 0;
  std::string pod_name;
};
void add_pod_index_flags(Cli& cli, PodIndex& index, std::string flag, std::string default_text, std::string help,
                         std::string pod_name_help);

// The index flag's value, or the ordinal of --pod-name when that is non-empty. Both given and disagreeing is an
// error: one of them is a mistake and guessing which would let two pods share a partition. An error when
// the pod name has no ordinal.
common::Result<std::int32_t> index_from_pod_name(const Cli& cli, const PodIndex& index);

// The replica index of a service whose replicas share partitions by `p % count == index` (the worker, the mailer):
// index_from_pod_name, which must be below `replica_count`. A StatefulSet scaled up without raising the count would
// otherwise start pods that own nothing, or the wrong share.
common::Result<std::int32_t> replica_index(const Cli& cli, const PodIndex& index, std::int64_t replica_count);

// The flags of such a service: --replica-count, --replica-index and --pod-name (pod_example names a pod of its
// StatefulSet, topic the topic whose partitions the replicas share), and what they resolve to.
struct ReplicaFlags {
  std::int64_t count = 1;
  PodIndex index;
};
void add_replica_flags(Cli& cli, ReplicaFlags& flags, const std::string& pod_example, const std::string& topic);

struct Replica {
  int count = 1;
  std::int32_t index = 0;
};
common::Result<Replica> resolve_replica(const Cli& cli, const ReplicaFlags& flags);

}  // namespace invite::runtime
