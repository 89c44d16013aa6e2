#pragma once
// The worker's metric families, declared once: names, help texts and buckets live here and nowhere else.
#include <string_view>

#include "invite/common/metrics.hpp"
#include "invite/events/events.hpp"
#include "invite/store/partition_store.hpp"

namespace invite::worker {

struct WorkerMetrics {
  explicit WorkerMetrics(common::Registry& registry);

  // invite_worker_requests_total{outcome}: a request's series appears with its first outcome of that kind.
  common::Counter& requests(domain::Outcome outcome);
  // invite_worker_commands_total{command,outcome}: commands of the invitation's life decided (commands.hpp).
  common::Counter& commands(events::CommandKind kind, domain::Outcome outcome);
  // invite_worker_expired_reads_total{command}: confirm and list records skipped after their deadline.
  common::Counter& expired_reads(events::CommandKind kind);
  // invite_worker_delivery_statuses_total{result}: records of invite.email-status.v1 read, by what became of
  // them: "applied" (a delivery outcome for a user of one of the worker's files), "not_ours" (no such user here:
  // another worker's portal, or a user deleted since), "undecodable" (skipped with a warning).
  common::Counter& delivery_statuses(std::string_view result);

  common::Counter& requests_dropped;
  common::Counter& records_skipped;
  common::Counter& records_dlq;
  common::Counter& users_created;
  common::Counter& outbox_published;
  common::Counter& outbox_failures;
  common::Histogram& apply_duration;
  common::Histogram& group_commit_duration;
  common::Histogram& group_requests;
  common::Histogram& record_age;

 private:
  common::Registry& registry_;
};

// How the worker's partition files are checkpointed, with invite_worker_wal_checkpoint_duration_seconds{by}: the
// checkpoints that copied part of a file's WAL, by "checkpointer" (its thread of its own) or "writer" (the loop's
// thread, before a transaction: the WAL's last pages, or all of it past the hard limit). A function, not a member:
// main opens the stores before the worker (and its WorkerMetrics) exists.
store::BackgroundCheckpoints background_checkpoints(common::Registry& registry);

}  // namespace invite::worker
