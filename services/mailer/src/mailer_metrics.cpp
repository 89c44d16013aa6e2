#include "mailer_metrics.hpp"

namespace invite::mailer {
namespace {
constexpr const char* kJobs = "invite_mailer_jobs_total";
constexpr const char* kJobsHelp = "E-mail jobs read from invite.emails.v1";
constexpr const char* kAttempts = "invite_mailer_attempts_total";
constexpr const char* kAttemptsHelp = "Delivery attempts by the status they ended in";
}  // namespace

MailerMetrics::MailerMetrics(common::Registry& registry)
    : jobs_accepted(registry.counter(kJobs, kJobsHelp, {{"result", "accepted"}})),
      jobs_duplicate(registry.counter(kJobs, kJobsHelp, {{"result", "duplicate"}})),
      jobs_rejected(registry.counter(kJobs, kJobsHelp, {{"result", "rejected"}})),
      attempts_sent(registry.counter(kAttempts, kAttemptsHelp, {{"status", "sent"}})),
      attempts_retrying(registry.counter(kAttempts, kAttemptsHelp, {{"status", "retrying"}})),
      attempts_failed(registry.counter(kAttempts, kAttemptsHelp, {{"status", "failed"}})),
      throttled(registry.counter("invite_mailer_throttled_total",
                                 "Times a due e-mail waited for its recipient domain's rate limit")),
      pending_jobs(registry.gauge("invite_mailer_pending_jobs", "Jobs queued or waiting for a retry")),
      send_duration(registry.histogram("invite_mailer_send_seconds", "Time one delivery attempt took",
                                       common::default_latency_buckets())),
      status_published(registry.counter("invite_mailer_status_published_total", "Status events acknowledged by Kafka")),
      status_failures(registry.counter("invite_mailer_status_failures_total",
                                       "Status event deliveries that failed and will be retried")) {}

}  // namespace invite::mailer
