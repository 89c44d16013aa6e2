#include "mailer.hpp"

#include <algorithm>

#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/domain/validation.hpp"
#include "invite/mail/invitation.hpp"
#include "invite/mail/mime.hpp"

namespace invite::mailer {
namespace {

using namespace std::chrono_literals;
using common::log_info;
using common::log_warn;

constexpr std::size_t kDueBatch = 64;  // domains looked at per send
constexpr int kRecordsPerTurn = 100;   // records taken from Kafka between two sends
constexpr auto kLongestIdle = 250ms;   // the loop looks at its timers at least this often
constexpr auto kCommitEvery = 1s;
constexpr auto kPruneEvery = std::chrono::hours(1);
constexpr std::size_t kStatusBatch = 500;  // status events read from the store per pump

std::string reason_or_unknown(std::string reason) { return reason.empty() ? "no reason given" : reason; }

}  // namespace

Mailer::Mailer(MailerEnvironment env)
    : env_(std::move(env)),
      metrics_(*env_.metrics),
      throttle_(env_.settings.rate_per_domain, env_.settings.burst_per_domain),
      relay_(*env_.producer, *env_.store,
             {kStatusBatch, "status event", &metrics_.status_published, &metrics_.status_failures}) {}

common::Result<> Mailer::start() {
  std::vector<kafka::Assignment> assignments;
  for (const std::int32_t partition : env_.partitions) {
    assignments.push_back({std::string(events::topics::kEmails), partition, kafka::kOffsetStored});
  }
  if (auto assigned = env_.consumer->assign(assignments); !assigned) return assigned;
  metrics_.pending_jobs.set(static_cast<double>(env_.store->pending_count()));
  ready_ = true;
  return {};
}

common::Result<> Mailer::run(const std::atomic<bool>& stop) {
  using Clock = std::chrono::steady_clock;
  auto last_commit = Clock::now();
  auto last_prune = Clock::now();
  common::Result<> outcome;
  try {
    while (!stop && outcome) {
      relay_.drain();
      relay_.pump();
      const bool sent = send_next(common::now_ms());
      const auto wait = sent ? 0ms : idle_wait(common::now_ms());
      for (int i = 0; i < kRecordsPerTurn; ++i) {
        auto polled = env_.consumer->poll(i == 0 ? wait : 0ms);
        if (auto* record = std::get_if<kafka::InRecord>(&polled)) {
          on_record(*record, common::now_ms());
          continue;
        }
        if (auto* poll_error = std::get_if<kafka::PollError>(&polled)) {
          if (poll_error->fatal)
            outcome = common::fail("kafka: " + poll_error->message);
          else
            log_warn("kafka poll error", {{"error", poll_error->message}});
        }
        break;  // an end of partition, a timeout or an error: back to sending
      }
      if (Clock::now() - last_commit >= kCommitEvery) {
        commit_offsets();
        metrics_.pending_jobs.set(static_cast<double>(env_.store->pending_count()));
        last_commit = Clock::now();
      }
      if (Clock::now() - last_prune >= kPruneEvery) {
        const auto deleted = env_.store->prune(common::now_ms() - env_.settings.retention.count());
        if (deleted > 0) log_info("pruned the mailer's store", {{"rows", deleted}});
        last_prune = Clock::now();
      }
    }
    // What is decided is announced and committed before we go; a send in progress was finished above.
    relay_.drain();
    relay_.pump();
    env_.producer->flush(5s);
    relay_.drain();
    commit_offsets();
  } catch (const std::exception& e) {  // the store throws when SQLite fails: nothing sensible can go on
    outcome = common::fail(e.what());
  }
  ready_ = false;
  return outcome;
}

void Mailer::on_record(const kafka::InRecord& record, std::int64_t now_ms) {
  consumed_next_[record.partition] = record.offset + 1;
  auto decoded = events::decode_email_job(record.value);
  const common::Result<> usable = decoded ? mail::job_problem(*decoded) : common::Result<>(decoded.error());
  const std::string where = record.topic + "/" + std::to_string(record.partition) + "/" + std::to_string(record.offset);
  if (!usable) {
    metrics_.jobs_rejected.inc();
    log_warn("e-mail job set aside", {{"record", where}, {"error", usable.error().message}});
    return;
  }
  const auto& job = *decoded;
  store::MailJob queued{job.event_id,
                        record.partition,
                        record.offset,
                        record.value,
                        record.headers,
                        mail::address_domain(job.recipient_email),
                        0,
                        now_ms};
  if (env_.store->accept(queued)) {
    metrics_.jobs_accepted.inc();
  } else {
    metrics_.jobs_duplicate.inc();
    // Debug, not info: a group reset to the earliest offset replays the whole topic, one line per record.
    common::log_debug("e-mail job seen before, not sent again", {{"jobEventId", job.event_id}, {"record", where}});
  }
}

bool Mailer::send_next(std::int64_t now_ms) {
  throttle_wait_.reset();
  const auto now = mail::Clock::now();
  for (const auto& job : env_.store->due(now_ms, kDueBatch)) {
    if (const auto wait = throttle_.acquire(job.domain, now)) {
      metrics_.throttled.inc();
      throttle_wait_ = std::min(throttle_wait_.value_or(*wait), *wait);
      continue;
    }
    attempt(job, now_ms);
    return true;
  }
  return false;
}

std::chrono::milliseconds Mailer::idle_wait(std::int64_t now_ms) {
  auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(kLongestIdle);
  if (const auto next = env_.store->next_due_ms()) {
    // A job already due that was not sent waits for its domain's throttle.
    const auto until = *next > now_ms ? std::chrono::milliseconds(*next - now_ms) : throttle_wait_.value_or(0ms);
    wait = std::min(wait, until);
  }
  return wait;
}

std::string Mailer::fallback_culture(const std::string& portal) const {
  const auto* found = env_.portals != nullptr ? env_.portals->find_by_host_header(portal) : nullptr;
  return found != nullptr ? found->default_culture : env_.settings.default_culture;
}

void Mailer::attempt(const store::MailJob& job, std::int64_t now_ms) {
  auto decoded = events::decode_email_job(job.value);
  if (!decoded) {
    // Accepted only once it decoded; a newer build's stricter decoder is the one way here. No event: its
    // fields are what cannot be trusted.
    log_warn("queued e-mail job no longer decodes; dropped",
             {{"jobEventId", job.event_id}, {"error", decoded.error().message}});
    env_.store->record_attempt(job.event_id, {store::JobState::Failed, job.attempts, 0, "no longer decodes", {}});
    metrics_.attempts_failed.inc();
    return;
  }
  const auto& email = *decoded;
  events::EmailStatus status;
  status.event_id = common::new_uuid();
  status.occurred_at_ms = now_ms;
  status.request_id = email.request_id;
  status.portal = email.portal;
  status.job_event_id = email.event_id;
  status.recipient_email = email.recipient_email;
  status.recipient_user_id = email.recipient_user_id;
  status.attempt = job.attempts + 1;
  status.message_id = mail::message_id(email.event_id, env_.settings.from_address);
  status.culture = email.culture;

  auto composed = mail::compose_invitation(email, *env_.templates, fallback_culture(email.portal),
                                           env_.settings.from_address, now_ms);
  if (!composed) {
    status.status = events::DeliveryStatus::Failed;
    status.reason = composed.error().message;
    record(job, email, std::move(status), store::JobState::Failed, 0);
    return;
  }
  auto& message = *composed;
  status.culture = message.culture;

  const auto started = std::chrono::steady_clock::now();
  auto result = env_.sender->send(message.envelope, message.bytes);
  metrics_.send_duration.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  status.smtp_code = result.smtp_code;

  if (result.outcome == mail::SendOutcome::Delivered) {
    status.status = events::DeliveryStatus::Sent;
    record(job, email, std::move(status), store::JobState::Sent, 0);
    log_info("e-mail sent", {{"jobEventId", email.event_id},
                             {"requestId", email.request_id},
                             {"culture", message.culture},
                             {"messageId", message.message_id},
                             {"location", result.location}});
    if (env_.on_delivered) env_.on_delivered(email.recipient_email, result.location);
    return;
  }
  status.reason = reason_or_unknown(result.reason);
  std::int64_t next_attempt_ms = 0;
  if (result.outcome == mail::SendOutcome::Transient) {
    const double unit = env_.random ? env_.random() : 0.5;
    next_attempt_ms = now_ms + mail::retry_delay(env_.settings.retry, status.attempt, unit).count();
    if (status.attempt >= env_.settings.retry.max_attempts) {
      status.reason = "gave up after " + std::to_string(status.attempt) + " attempts: " + status.reason;
      next_attempt_ms = 0;
    } else if (next_attempt_ms >= email.expires_at_ms) {
      status.reason = "the confirmation link expires before the next attempt: " + status.reason;
      next_attempt_ms = 0;
    }
  }
  if (next_attempt_ms > 0) {
    status.status = events::DeliveryStatus::Retrying;
    status.next_attempt_at_ms = next_attempt_ms;
    log_info("e-mail delivery failed, will retry", {{"jobEventId", email.event_id},
                                                    {"attempt", std::int64_t{status.attempt}},
                                                    {"reason", status.reason},
                                                    {"nextAttemptAt", common::rfc3339_utc(next_attempt_ms)}});
    record(job, email, std::move(status), store::JobState::Pending, next_attempt_ms);
  } else {
    status.status = events::DeliveryStatus::Failed;
    record(job, email, std::move(status), store::JobState::Failed, 0);
  }
}

void Mailer::record(const store::MailJob& job, const events::EmailJob& email, events::EmailStatus status,
                    store::JobState state, std::int64_t next_attempt_ms) {
  if (status.status == events::DeliveryStatus::Failed) {
    metrics_.attempts_failed.inc();
    log_warn("e-mail failed for good", {{"jobEventId", email.event_id},
                                        {"requestId", email.request_id},
                                        {"attempt", std::int64_t{status.attempt}},
                                        {"reason", status.reason}});
  } else if (status.status == events::DeliveryStatus::Retrying) {
    metrics_.attempts_retrying.inc();
  } else {
    metrics_.attempts_sent.inc();
  }
  common::Message row;
  row.topic = std::string(events::topics::kEmailStatus);
  row.key = email.portal;
  row.headers.emplace_back(std::string(events::headers::kCorrelationId), email.request_id);
  if (auto traceparent = kafka::header(job.headers, events::headers::kTraceparent);
      traceparent && domain::is_valid_traceparent(*traceparent)) {
    row.headers.emplace_back(std::string(events::headers::kTraceparent), *traceparent);
  }
  const std::string reason = status.reason;
  const int attempts = status.attempt;
  row.value = events::encode_email_status(status);
  env_.store->record_attempt(job.event_id, {state, attempts, next_attempt_ms, reason, std::move(row)});
}

void Mailer::commit_offsets() {
  for (const auto& [partition, consumed] : consumed_next_) {
    std::int64_t offset = consumed;
    // A job still to be sent holds the group's offset back, so that a lost file cannot lose it: a mailer
    // starting afresh reads it again (and the decided jobs after it, which the file would have recognised).
    if (const auto pending = env_.store->first_pending_offset(partition)) offset = std::min(offset, *pending);
    if (auto it = committed_.find(partition); it != committed_.end() && it->second == offset) continue;
    env_.consumer->commit(std::string(events::topics::kEmails), partition, offset);
    committed_[partition] = offset;
  }
}

}  // namespace invite::mailer
