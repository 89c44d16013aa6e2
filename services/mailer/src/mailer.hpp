#pragma once
// The mailer's loop: takes e-mail jobs from its partitions of invite.emails.v1 into its SQLite queue, sends the
// due ones (throttled per recipient domain), records each attempt's outcome with a status event, publishes the
// status events, and commits to its consumer group only offsets whose jobs are decided. One thread does all of
// it; Kafka delivery reports only hand results back.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/domain/portal.hpp"
#include "invite/events/events.hpp"
#include "invite/kafka/client.hpp"
#include "invite/mail/retry.hpp"
#include "invite/mail/sender.hpp"
#include "invite/mail/templates.hpp"
#include "invite/mail/throttle.hpp"
#include "invite/outbox/relay.hpp"
#include "invite/store/mailer_store.hpp"
#include "mailer_metrics.hpp"

namespace invite::mailer {

struct MailerSettings {
  std::string from_address;               // envelope sender and From address; its domain ends every Message-ID
  std::string default_culture = "en-US";  // the fallback when the job's portal is not in the portals file
  mail::RetryPolicy retry;
  double rate_per_domain = 0;   // messages per second per recipient domain; <= 0: unlimited
  double burst_per_domain = 1;  // messages a quiet domain may get at once
  std::chrono::milliseconds retention{std::chrono::hours(24 * 14)};
};

struct MailerEnvironment {
  kafka::Consumer* consumer = nullptr;
  kafka::Producer* producer = nullptr;
  store::MailerStore* store = nullptr;
  mail::Sender* sender = nullptr;
  const mail::TemplateCatalogue* templates = nullptr;
  const domain::PortalDirectory* portals = nullptr;  // for the portals' default cultures
  common::Registry* metrics = nullptr;
  std::vector<std::int32_t> partitions;  // of invite.emails.v1 that this mailer owns
  MailerSettings settings;
  // Called after each delivered e-mail with the recipient and where it went (the .eml file, or the server).
  std::function<void(const std::string& recipient, const std::string& location)> on_delivered;
  std::function<double()> random;  // uniform in [0, 1), for the retry jitter
};

class Mailer {
 public:
  explicit Mailer(MailerEnvironment env);

  // Assigns the owned partitions from the group's committed offsets.
  common::Result<> start();
  // Runs until stop is set; an error when the loop cannot go on (SQLite failure, fatal Kafka error).
  common::Result<> run(const std::atomic<bool>& stop);
  bool ready() const { return ready_.load(); }

 private:
  void on_record(const kafka::InRecord& record, std::int64_t now_ms);
  // Sends the first due job whose domain is not throttled; false when there was none.
  bool send_next(std::int64_t now_ms);
  void attempt(const store::MailJob& job, std::int64_t now_ms);
  void record(const store::MailJob& job, const events::EmailJob& email, events::EmailStatus status,
              store::JobState state, std::int64_t next_attempt_ms);
  std::string fallback_culture(const std::string& portal) const;
  std::chrono::milliseconds idle_wait(std::int64_t now_ms);
  void commit_offsets();

  MailerEnvironment env_;
  MailerMetrics metrics_;
  mail::DomainThrottle throttle_;
  outbox::Relay relay_;  // the status events
  std::atomic<bool> ready_{false};
  std::map<std::int32_t, std::int64_t> consumed_next_;      // offset after the last record read, per partition
  std::map<std::int32_t, std::int64_t> committed_;          // last offset committed, per partition
  std::optional<std::chrono::milliseconds> throttle_wait_;  // shortest wait of a throttled due job
};

}  // namespace invite::mailer
