#pragma once
// The mailer's own SQLite file (WAL): every e-mail job it has taken from invite.emails.v1, keyed by the job's
// eventId, with its delivery state and retry schedule, and an outbox of delivery status events. A job seen a
// second time (a redelivered or duplicated record) is recognised here and never sent again. Not thread-safe:
// the mailer's loop is its only user.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invite/common/message.hpp"
#include "invite/common/result.hpp"
#include "invite/outbox/outbox.hpp"

namespace invite::store {

enum class JobState { Pending, Sent, Failed };

struct MailJob {
  std::string event_id;
  std::int32_t partition = 0;  // where the record was on invite.emails.v1
  std::int64_t offset = 0;
  std::string value;        // the job's JSON, as it came
  common::Headers headers;  // the record's headers (correlation-id, traceparent)
  std::string domain;       // the recipient's domain, lower-case: the unit of throttling
  int attempts = 0;         // made so far
  std::int64_t next_attempt_ms = 0;
};

// What one attempt changed, stored with the status event it announces.
struct AttemptRecord {
  JobState state = JobState::Pending;  // Pending: retry at next_attempt_ms
  int attempts = 0;
  std::int64_t next_attempt_ms = 0;
  std::string reason;      // the last failure; empty once sent
  common::Message status;  // the invite.email-status.v1 record; none when its topic is empty
};

// Its outbox holds the status events.
class MailerStore : public outbox::Outbox {
 public:
  static common::Result<std::unique_ptr<MailerStore>> open(const std::filesystem::path& file);
  static int schema_version();

  ~MailerStore() override = default;

  // Queues a new job, due at job.next_attempt_ms; false (and nothing changes) when its eventId is known.
  virtual bool accept(const MailJob& job) = 0;
  // Pending jobs due at now_ms: per recipient domain only the one due first, earliest first. One per domain, so
  // that a domain waiting for its throttle cannot hide the jobs of other domains behind it.
  virtual std::vector<MailJob> due(std::int64_t now_ms, std::size_t limit) = 0;
  virtual std::optional<std::int64_t> next_due_ms() = 0;  // of all pending jobs
  // One transaction: the job's new state and its status event.
  virtual void record_attempt(const std::string& event_id, const AttemptRecord& record) = 0;
  virtual std::optional<JobState> state(std::string_view event_id) = 0;
  // The lowest offset of a job of that partition still pending: the group's committed offset must not pass it,
  // so that a lost file never loses a job that was still to be sent.
  virtual std::optional<std::int64_t> first_pending_offset(std::int32_t partition) = 0;
  virtual std::int64_t pending_count() = 0;

  // Deletes sent or failed jobs decided before cutoff_ms, and published status events older than it. Pending jobs
  // and unpublished events stay. Returns the number of rows deleted.
  virtual std::int64_t prune(std::int64_t cutoff_ms) = 0;
};

}  // namespace invite::store
