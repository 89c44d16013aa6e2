#pragma once
// The worker's metric families, declared once: names, help texts and buckets live here and nowhere else.
#include "invite/common/metrics.hpp"
#include "invite/events/events.hpp"

namespace invite::worker {

struct WorkerMetrics {
  explicit WorkerMetrics(common::Registry& registry);

  // invite_worker_requests_total{outcome}: a request's series appears with its first outcome of that kind.
  common::Counter& requests(domain::Outcome outcome);

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

}  // namespace invite::worker
