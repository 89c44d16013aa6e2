#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "invite/events/topics.hpp"
#include "invite/kafka/client.hpp"

namespace invite::invitectl {

void add_topics_flags(runtime::Cli& cli, TopicsOptions& o) {
  // The services' own flag names, so INVITE_KAFKA_BROKERS / INVITE_KAFKA_CONFIG of a service work here.
  runtime::add_kafka_flags(cli, o.kafka, "", "bootstrap servers of the cluster (required)",
                           "librdkafka property key=value (TLS, SASL, ...)", true);
  cli.integer(
      "partitions", o.partitions, "4", 1, 10000,
      "partitions of each topic to create (the dead-letter topic gets 1); invite.replies.v1 needs one per gateway");
  cli.integer("replication-factor", o.replication_factor, "1", 1, 100,
              "replicas of each topic to create (production: 3)");
  cli.integer("min-insync-replicas", o.min_insync_replicas, "1", 1, 100,
              "min.insync.replicas of each topic to create (production: 2)");
  cli.duration("timeout", o.timeout, "15s", "give up after this (brokers unreachable, topics without leaders)",
               std::chrono::seconds(1));
}

int run_topics(const runtime::Cli& cli, const TopicsOptions& o) {
  if (o.min_insync_replicas > o.replication_factor) {
    return cli.usage_error("--min-insync-replicas must be in 1..--replication-factor (" +
                           std::to_string(o.replication_factor) + "), got '" + std::to_string(o.min_insync_replicas) +
                           "'");
  }
  std::vector<kafka::TopicSpec> specs;
  for (auto& plan : events::topic_plan(static_cast<int>(o.partitions), static_cast<int>(o.replication_factor),
                                       static_cast<int>(o.min_insync_replicas))) {
    specs.push_back({std::move(plan.name), plan.partitions, plan.replication_factor, std::move(plan.config)});
  }
  auto ensured = kafka::ensure_topics(o.kafka.brokers, o.kafka.config, specs, o.timeout);
  if (!ensured) {
    std::cerr << "invitectl: " << ensured.error().message << "\n";
    return kFailed;
  }
  std::vector<std::vector<std::string>> rows = {{"TOPIC", "PARTITIONS", "REPLICAS", "STATUS"}};
  std::string too_few;
  for (const auto& topic : *ensured) {
    std::string status = topic.created ? "created" : "exists";
    if (topic.too_few_partitions) {
      status = "too few partitions (wanted " + std::to_string(topic.wanted_partitions) + ")";
      too_few += (too_few.empty() ? "" : ", ") + topic.name + " has " + std::to_string(topic.partitions);
    }
    rows.push_back({topic.name, std::to_string(topic.partitions), std::to_string(topic.replication_factor), status});
  }
  print_columns(rows);
  if (!too_few.empty()) {
    // Partitions can only be added, and adding them to invite.requested.v1 moves portals between the workers'
    // SQLite files (deploy/README.md): an operator decides that, not this tool.
    std::cerr << "invitectl: fewer partitions than --partitions " << o.partitions << " (left unchanged): " << too_few
              << "\n";
    return kFailed;
  }
  return kOk;
}

}  // namespace invite::invitectl
