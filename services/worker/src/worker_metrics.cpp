#include "worker_metrics.hpp"

#include <string>

namespace invite::worker {

WorkerMetrics::WorkerMetrics(common::Registry& registry)
    : requests_dropped(registry.counter("invite_worker_incomplete_requests_dropped_total",
                                        "Requests dropped because their records stopped arriving before the deadline")),
      records_skipped(registry.counter("invite_worker_records_skipped_total",
                                       "Records of requests already applied, read again after a restart")),
      records_dlq(registry.counter("invite_worker_dlq_records_total", "Records sent to invite.requested.v1.dlq")),
      users_created(registry.counter("invite_worker_users_created_total", "Users created by invitations")),
      outbox_published(registry.counter("invite_worker_outbox_published_total", "Outbox rows acknowledged by Kafka")),
      outbox_failures(
          registry.counter("invite_worker_outbox_failures_total", "Outbox deliveries that failed and will be retried")),
      apply_duration(registry.histogram("invite_worker_apply_duration_seconds",
                                        "Time to decide one request and write it into its group's transaction",
                                        common::default_latency_buckets())),
      group_commit_duration(registry.histogram("invite_worker_group_commit_duration_seconds",
                                               "Time to make one group of requests durable (one sync)",
                                               common::default_latency_buckets())),
      group_requests(registry.histogram("invite_worker_group_requests",
                                        "Requests (and DLQ records) made durable by one group commit",
                                        {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048})),
      record_age(registry.histogram("invite_worker_record_age_seconds",
                                    "Age of a record (now minus its timestamp) when the worker takes it",
                                    common::default_latency_buckets())),
      registry_(registry) {}

common::Counter& WorkerMetrics::requests(domain::Outcome outcome) {
  return registry_.counter("invite_worker_requests_total", "Requests decided, by outcome (the reply's outcome names)",
                           {{"outcome", std::string(domain::to_string(outcome))}});
}

common::Counter& WorkerMetrics::commands(events::CommandKind kind, domain::Outcome outcome) {
  return registry_.counter(
      "invite_worker_commands_total",
      "Commands of the invitation's life decided, by command and outcome (the reply's names)",
      {{"command", std::string(events::to_string(kind))}, {"outcome", std::string(domain::to_string(outcome))}});
}

common::Counter& WorkerMetrics::expired_reads(events::CommandKind kind) {
  return registry_.counter("invite_worker_expired_reads_total",
                           "Read commands (confirm, list) skipped without a reply because their deadline had passed",
                           {{"command", std::string(events::to_string(kind))}});
}

common::Counter& WorkerMetrics::delivery_statuses(std::string_view result) {
  return registry_.counter("invite_worker_delivery_statuses_total",
                           "Records of invite.email-status.v1 read, by result: applied to a user of this worker's "
                           "files, not_ours, undecodable",
                           {{"result", std::string(result)}});
}

store::BackgroundCheckpoints background_checkpoints(common::Registry& registry) {
  const auto duration = [&registry](const char* by) {
    return &registry.histogram("invite_worker_wal_checkpoint_duration_seconds",
                               "Checkpoints that copied part of a partition file's WAL into the file, by the thread "
                               "that ran them: checkpointer (its own) or writer (the worker's loop)",
                               common::default_latency_buckets(), {{"by", by}});
  };
  store::BackgroundCheckpoints settings;
  settings.checkpointer_seconds = duration("checkpointer");
  settings.writer_seconds = duration("writer");
  return settings;
}

}  // namespace invite::worker
