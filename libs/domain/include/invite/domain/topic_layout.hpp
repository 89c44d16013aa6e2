#pragma once
// The design's topics as the service creates them on a real cluster (invite-devstack --kafka-brokers, invitectl
// topics): the names of events.hpp with the retention of deploy/k8s/topics/topics.yaml. Partitions and replication
// are the caller's (one broker in development, three in production).
#include <string>
#include <utility>
#include <vector>

#include "invite/domain/events.hpp"

namespace invite::domain {

struct TopicPlan {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::vector<std::pair<std::string, std::string>> config;  // topic-level configs at creation
};

inline std::vector<TopicPlan> topic_plan(int partitions, int replication_factor, int min_insync_replicas) {
  struct Entry {
    std::string_view name;
    bool single_partition;  // nobody's throughput or ownership depends on it (topics.yaml gives it 1)
    const char* retention_ms;
  };
  // Why each retention: deploy/k8s/topics/topics.yaml.
  static constexpr Entry kEntries[] = {
      {topics::kRequested, false, "604800000"},      // 7 d: kept until long after a worker applied it
      {topics::kReplies, false, "3600000"},          // 1 h: a reply is useless after the request timeout
      {topics::kEmails, false, "604800000"},         // 7 d: confirmation links expire after 7 days
      {topics::kUserInvited, false, "2592000000"},   // 30 d: audit and webhook consumers catch up
      {topics::kRequestedDlq, true, "2592000000"},   // 30 d: for an operator to look at
      {topics::kEmailStatus, false, "2592000000"},   // 30 d: "did the invitation go out?"
  };
  std::vector<TopicPlan> plan;
  for (const Entry& entry : kEntries) {
    plan.push_back({std::string(entry.name), entry.single_partition ? 1 : partitions, replication_factor,
                    {{"cleanup.policy", "delete"},
                     {"retention.ms", entry.retention_ms},
                     {"min.insync.replicas", std::to_string(min_insync_replicas)}}});
  }
  return plan;
}

}  // namespace invite::domain
