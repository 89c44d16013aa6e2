#pragma once
// The design's topics and record headers, and the one list of them that the devstack, invitectl and the tests
// create: names here, retention as in deploy/k8s/topics/topics.yaml. Partitions and replication are the caller's
// (one broker in development, three in production).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace invite::events {

namespace topics {
inline constexpr std::string_view kRequested = "invite.requested.v1";
inline constexpr std::string_view kReplies = "invite.replies.v1";
inline constexpr std::string_view kEmails = "invite.emails.v1";
inline constexpr std::string_view kUserInvited = "people.user-invited.v1";
inline constexpr std::string_view kRequestedDlq = "invite.requested.v1.dlq";
inline constexpr std::string_view kEmailStatus = "invite.email-status.v1";
inline constexpr std::string_view kUserActivated = "people.user-activated.v1";
inline constexpr std::string_view kUserDisabled = "people.user-disabled.v1";
inline constexpr std::string_view kUserDeleted = "people.user-deleted.v1";
}  // namespace topics

namespace headers {
inline constexpr std::string_view kCorrelationId = "correlation-id";  // the request id
inline constexpr std::string_view kReplyPartition = "reply-partition";
inline constexpr std::string_view kTraceparent = "traceparent";
inline constexpr std::string_view kDlqError = "dlq-error";
inline constexpr std::string_view kDlqSource = "dlq-source";  // "<topic>/<partition>/<offset>"
}  // namespace headers

struct TopicSpec {
  std::string_view name;
  bool single_partition;  // nobody's throughput or ownership depends on it (topics.yaml gives it 1)
  const char* retention_ms;
};

// Every topic of the design; a new topic is added here and nowhere else. Why each retention: topics.yaml.
inline constexpr TopicSpec kAllTopics[] = {
    {topics::kRequested, false, "604800000"},       // 7 d: kept until long after a worker applied it
    {topics::kReplies, false, "3600000"},           // 1 h: a reply is useless after the request timeout
    {topics::kEmails, false, "604800000"},          // 7 d: confirmation links expire after 7 days
    {topics::kUserInvited, false, "2592000000"},    // 30 d: audit and webhook consumers catch up
    {topics::kRequestedDlq, true, "2592000000"},    // 30 d: for an operator to look at
    {topics::kEmailStatus, false, "2592000000"},    // 30 d: "did the invitation go out?"
    {topics::kUserActivated, false, "2592000000"},  // 30 d: like people.user-invited.v1, for audit and webhooks
    {topics::kUserDisabled, false, "2592000000"},   // 30 d: likewise
    {topics::kUserDeleted, false, "2592000000"},    // 30 d: likewise
};

struct TopicPlan {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  std::vector<std::pair<std::string, std::string>> config;  // topic-level configs at creation
};

// kAllTopics as created on a real cluster (invite-devstack --kafka-brokers, invitectl topics).
inline std::vector<TopicPlan> topic_plan(int partitions, int replication_factor, int min_insync_replicas) {
  std::vector<TopicPlan> plan;
  for (const TopicSpec& spec : kAllTopics) {
    plan.push_back({std::string(spec.name),
                    spec.single_partition ? 1 : partitions,
                    replication_factor,
                    {{"cleanup.policy", "delete"},
                     {"retention.ms", spec.retention_ms},
                     {"min.insync.replicas", std::to_string(min_insync_replicas)}}});
  }
  return plan;
}

}  // namespace invite::events
