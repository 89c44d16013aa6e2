#pragma once
// The mailer's metric families, declared once: names, labels and help texts live here and nowhere else.
#include "invite/common/metrics.hpp"

namespace invite::mailer {

struct MailerMetrics {
  explicit MailerMetrics(common::Registry& registry);

  // invite_mailer_jobs_total{result}
  common::Counter& jobs_accepted;
  common::Counter& jobs_duplicate;
  common::Counter& jobs_rejected;
  // invite_mailer_attempts_total{status}
  common::Counter& attempts_sent;
  common::Counter& attempts_retrying;
  common::Counter& attempts_failed;
  common::Counter& throttled;
  common::Gauge& pending_jobs;
  common::Histogram& send_duration;
  common::Counter& status_published;
  common::Counter& status_failures;
};

}  // namespace invite::mailer
