#include "worker.hpp"

#include <algorithm>
#include <cassert>
#include <set>
#include <stdexcept>

#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/domain/plan.hpp"
#include "invite/domain/validation.hpp"
#include "request_commit.hpp"

namespace invite::worker {

using namespace std::chrono_literals;

namespace {
const std::string kRequestedTopic(events::topics::kRequested);
constexpr auto kRetryPause = 1s;
constexpr auto kCommitInterval = 5s;
constexpr auto kPruneInterval = std::chrono::hours(1);
// A group closes when librdkafka has no more records at hand, or at these bounds: they cap what one sync can
// delay (the first request of a group waits for the last) while still amortising a sync over hundreds of requests.
constexpr std::size_t kGroupRecords = 2000;
constexpr auto kGroupTime = 20ms;
}  // namespace

Worker::Worker(WorkerEnvironment env, std::map<std::int32_t, std::unique_ptr<store::PartitionStore>> stores)
    : env_(std::move(env)),
      stores_(std::move(stores)),
      relay_(*env_.producer, *env_.metrics),
      requests_dropped_(env_.metrics->counter("invite_worker_incomplete_requests_dropped_total",
                                              "Requests dropped because their records stopped arriving before the deadline")),
      records_skipped_(env_.metrics->counter("invite_worker_records_skipped_total",
                                             "Records of requests already applied, read again after a restart")),
      records_dlq_(env_.metrics->counter("invite_worker_dlq_records_total", "Records sent to invite.requested.v1.dlq")),
      users_created_(env_.metrics->counter("invite_worker_users_created_total", "Users created by invitations")),
      apply_duration_(env_.metrics->histogram("invite_worker_apply_duration_seconds",
                                              "Time to decide one request and write it into its group's transaction",
                                              common::default_latency_buckets())),
      group_commit_duration_(env_.metrics->histogram("invite_worker_group_commit_duration_seconds",
                                                     "Time to make one group of requests durable (one sync)",
                                                     common::default_latency_buckets())),
      group_requests_(env_.metrics->histogram("invite_worker_group_requests",
                                              "Requests (and DLQ records) made durable by one group commit",
                                              {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048})),
      record_age_(env_.metrics->histogram("invite_worker_record_age_seconds",
                                          "Age of a record (now minus its timestamp) when the worker takes it",
                                          common::default_latency_buckets())) {
  assert(env_.consumer && env_.producer && env_.portals && env_.metrics);
  for (auto& [partition, store] : stores_) {
    partitions_[partition].store = store.get();
    store_views_[partition] = store.get();
  }
}

std::optional<std::string> Worker::start() {
  std::vector<kafka::Assignment> assignments;
  for (auto& [partition, state] : partitions_) {
    const auto marks = env_.consumer->watermarks(kRequestedTopic, partition, 10s);
    if (!marks) return "cannot read the offsets of " + kRequestedTopic + " partition " + std::to_string(partition);
    const auto [low, high] = *marks;
    std::int64_t offset = state.store->stored_offset().value_or(low);
    if (offset > high) {
      // The topic was recreated (or the devstack's in-memory broker restarted) while the files stayed. Reading it
      // again from the start is safe: applied requests are skipped and re-invited users are found existing.
      common::log_warn("stored offset is beyond the partition's end; the topic was recreated, reading from its start",
                       {{"partition", std::int64_t{partition}}, {"storedOffset", offset}, {"endOffset", high}});
      offset = low;
    } else if (offset < low) {
      common::log_warn("stored offset is before the partition's start; records were deleted unread",
                       {{"partition", std::int64_t{partition}}, {"storedOffset", offset}, {"startOffset", low}});
      offset = low;
    }
    state.consumed_next = offset;
    state.stored_next = offset;
    assignments.push_back({kRequestedTopic, partition, offset});
    common::log_info("resuming partition", {{"partition", std::int64_t{partition}}, {"offset", offset}});
    relay_.pump(partition, *state.store);
  }
  auto error = env_.consumer->assign(assignments);
  ready_ = !error.has_value();
  return error;
}

std::int64_t Worker::resume_offset(std::int32_t partition, const PartitionState& state) const {
  const auto hold = assembler_.hold(partition);
  return hold ? std::min(*hold, state.consumed_next) : state.consumed_next;
}

void Worker::join_group(PartitionState& state) {
  if (state.grouped == 0) state.store->begin_group();
  ++state.grouped;
}

void Worker::commit_groups() {
  for (auto& [partition, state] : partitions_) {
    if (state.grouped == 0) continue;
    const auto started = std::chrono::steady_clock::now();
    state.store->commit_group();
    group_commit_duration_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    group_requests_.observe(static_cast<double>(state.grouped));
    state.grouped = 0;
    state.dirty = true;  // only now may the relay publish what the group wrote
  }
}

void Worker::write(PartitionState& state, store::RequestCommit commit) {
  const auto ids = state.store->apply(commit);
  assert(ids.size() == commit.outbox.size());
  for (std::size_t i = 0; i < ids.size(); ++i) {
    commit.outbox[i].id = ids[i];
    state.written.push_back(std::move(commit.outbox[i]));
  }
  state.stored_next = commit.next_offset;
}

void Worker::send_to_dlq(PartitionState& state, const kafka::InRecord& record, const std::string& error) {
  join_group(state);
  common::log_warn("record sent to the DLQ", {{"partition", std::int64_t{record.partition}},
                                              {"offset", record.offset}, {"error", error}});
  store::RequestCommit commit;
  commit.outbox.push_back(dlq_row(record, error));
  commit.next_offset = resume_offset(record.partition, state);
  write(state, std::move(commit));
  records_dlq_.inc();
}

void Worker::apply_request(PartitionState& state, std::int32_t partition, CompleteRequest request) {
  const auto started = std::chrono::steady_clock::now();
  join_group(state);  // before the reads, so that the decision sees every earlier request of the group
  const auto& first = request.records.front();
  const domain::Portal* portal = env_.portals->find_by_host_header(first.portal);
  assert(portal != nullptr);  // checked for every record before it reached the assembler

  const std::int64_t now = common::now_ms();
  domain::PlanInput input = plan_input(request, *portal, now);
  std::vector<std::string> emails;
  emails.reserve(input.invitations.size());
  for (const auto& invitation : input.invitations) emails.push_back(domain::normalize_email(invitation.email));
  input.existing = state.store->find_users(portal->host, emails);
  // The seat count scans the portal's users: only worth it when the request can take a seat at all.
  const bool wants_seat = std::any_of(input.invitations.begin(), input.invitations.end(),
                                      [](const domain::Invitation& i) { return domain::is_paid(i.type); });
  input.paid_seats_in_use = portal->paid_seats && wants_seat ? state.store->paid_seats_in_use(portal->host) : 0;
  input.invited_today = portal->daily_invitation_budget ? state.store->invited_on(portal->host, common::utc_day(now)) : 0;
  const domain::Plan plan = domain::plan_request(input, &common::new_uuid);

  store::RequestCommit commit = build_commit(request, plan, {portal, env_.link_secret, now, &common::new_uuid});
  commit.next_offset = resume_offset(partition, state);
  write(state, std::move(commit));

  apply_duration_.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  env_.metrics
      ->counter("invite_worker_requests_total", "Requests decided, by outcome (the reply's outcome names)",
                {{"outcome", std::string(domain::to_string(plan.outcome))}})
      .inc();
  users_created_.inc(static_cast<double>(plan.created.size()));
  common::log_debug("request applied", {{"requestId", first.request_id},
                                        {"portal", first.portal},
                                        {"outcome", std::string(domain::to_string(plan.outcome))},
                                        {"invitations", static_cast<std::int64_t>(request.records.size())},
                                        {"created", static_cast<std::int64_t>(plan.created.size())},
                                        {"raised", static_cast<std::int64_t>(plan.raised.size())}});
}

void Worker::on_record(const kafka::InRecord& record) {
  auto it = partitions_.find(record.partition);
  assert(it != partitions_.end());
  PartitionState& state = it->second;
  state.at_end = false;
  state.consumed_next = record.offset + 1;
  if (record.timestamp_ms > 0) record_age_.observe(static_cast<double>(common::now_ms() - record.timestamp_ms) / 1000);

  auto decoded = events::decode_requested(record.value);
  if (auto* error = std::get_if<std::string>(&decoded)) return send_to_dlq(state, record, *error);
  auto& event = std::get<events::RequestedInvitation>(decoded);
  if (env_.portals->find_by_host_header(event.portal) == nullptr) {
    return send_to_dlq(state, record, "unknown portal: " + event.portal);
  }
  if (!reply_partition_exists(event.reply_partition)) {
    // Its reply could never be delivered, and no gateway can be waiting for it: refuse the request whole rather
    // than apply it and retry an undeliverable reply for ever.
    return send_to_dlq(state, record,
                       "replyPartition: " + std::to_string(event.reply_partition) + " is not a partition of " +
                           std::string(events::topics::kReplies) + " (" + std::to_string(reply_partitions_) +
                           " partitions)");
  }
  if (state.store->request_applied(event.request_id)) {
    records_skipped_.inc();
    return;
  }
  std::string traceparent = kafka::header(record.headers, events::headers::kTraceparent).value_or("");
  // Passed on to every event the request causes, so only a well-formed one (other producers write here too).
  if (!domain::is_valid_traceparent(traceparent)) traceparent.clear();
  auto added = assembler_.add(record.partition, record.offset, std::move(event), traceparent);
  if (added.ignored) {
    common::log_warn("record ignored", {{"partition", std::int64_t{record.partition}},
                                        {"offset", record.offset}, {"reason", *added.ignored}});
  }
  if (added.complete) apply_request(state, record.partition, std::move(*added.complete));
}

bool Worker::reply_partition_exists(std::int32_t partition) {
  if (partition < reply_partitions_) return true;
  // Gateways may have grown the topic since the last look; re-read it, but at most once a second so that a stream
  // of bad records cannot turn into a stream of metadata requests.
  const auto now = std::chrono::steady_clock::now();
  if (now - reply_partitions_read_ >= 1s) {
    reply_partitions_read_ = now;
    const auto count = env_.producer->partition_count(std::string(events::topics::kReplies), 2s);
    if (!count) return true;  // cannot tell now; the outbox relay retries the reply until it can
    reply_partitions_ = *count;
  }
  return partition < reply_partitions_;
}

void Worker::drop_expired(std::int64_t now_ms) {
  for (auto& [partition, state] : partitions_) {
    // Only a caught-up partition can tell that a request's missing records are not merely unread yet.
    if (!state.at_end) continue;
    const auto dropped = assembler_.drop_expired(partition, now_ms);
    for (const auto& d : dropped) {
      requests_dropped_.inc();
      common::log_warn("incomplete request dropped after its deadline",
                       {{"requestId", d.request_id}, {"portal", d.portal},
                        {"received", std::int64_t{d.received}}, {"count", std::int64_t{d.count}}});
    }
    const std::int64_t next = resume_offset(partition, state);
    if (!dropped.empty() && next != state.stored_next) {
      state.store->store_offset(next);
      state.stored_next = next;
    }
  }
}

void Worker::commit_group_offsets() {
  for (const auto& [partition, state] : partitions_) {
    env_.consumer->commit(kRequestedTopic, partition, state.stored_next);
  }
}

void Worker::prune() {
  const std::int64_t cutoff = common::now_ms() - env_.retention.count();
  for (auto& [partition, state] : partitions_) {
    const auto deleted = state.store->prune(cutoff);
    if (deleted > 0) common::log_info("pruned", {{"partition", std::int64_t{partition}}, {"rows", deleted}});
  }
}

std::optional<std::string> Worker::run(const std::atomic<bool>& stop) {
  auto next_sweep = std::chrono::steady_clock::now();
  auto next_commit = std::chrono::steady_clock::now() + kCommitInterval;
  auto next_prune = std::chrono::steady_clock::now();
  std::set<std::int32_t> retry;
  auto next_retry = std::chrono::steady_clock::now();
  try {
    while (!stop.load()) {
      // Group commit: the first poll waits for work; then whatever librdkafka already holds joins the same
      // group, so that one sync per partition makes all of it durable. At low load a group is one request and
      // adds no wait; at high load groups grow by themselves.
      auto polled = env_.consumer->poll(100ms);
      const auto group_started = std::chrono::steady_clock::now();
      for (std::size_t taken = 1;; ++taken) {
        if (auto* record = std::get_if<kafka::InRecord>(&polled)) {
          on_record(*record);
        } else if (auto* eof = std::get_if<kafka::PartitionEof>(&polled)) {
          auto it = partitions_.find(eof->partition);
          if (it != partitions_.end()) it->second.at_end = true;
        } else if (auto* error = std::get_if<kafka::PollError>(&polled)) {
          common::log_warn("consumer error", {{"error", error->message}, {"fatal", error->fatal}});
          if (error->fatal) {
            ready_ = false;
            return "fatal consumer error: " + error->message;  // the open groups roll back with their stores
          }
        } else {
          break;  // nothing more at hand
        }
        if (taken >= kGroupRecords || std::chrono::steady_clock::now() - group_started >= kGroupTime) break;
        polled = env_.consumer->poll(0ms);
      }
      // Acknowledged rows are marked inside the groups when there are any: no transaction of their own.
      for (std::int32_t partition : relay_.drain(store_views_)) retry.insert(partition);
      commit_groups();

      const auto now = std::chrono::steady_clock::now();
      for (auto& [partition, state] : partitions_) {
        if (!state.dirty) continue;
        relay_.publish_committed(partition, std::move(state.written), *state.store);
        state.written.clear();
        state.dirty = false;
      }
      if (!retry.empty() && now >= next_retry) {
        for (std::int32_t partition : retry) relay_.pump(partition, *partitions_.at(partition).store);
        retry.clear();
        next_retry = now + kRetryPause;
      }
      if (now >= next_sweep) {
        drop_expired(common::now_ms());
        next_sweep = now + 500ms;
      }
      if (now >= next_prune) {
        prune();
        next_prune = now + kPruneInterval;
      }
      if (now >= next_commit) {
        commit_group_offsets();
        next_commit = now + kCommitInterval;
      }
    }
  } catch (const std::exception& e) {
    ready_ = false;
    return std::string("storage failure: ") + e.what();
  }
  // Give in-flight outbox rows a chance to be acknowledged and marked, so a restart republishes less.
  env_.producer->flush(5s);
  relay_.drain(store_views_);
  commit_group_offsets();
  return std::nullopt;
}

}  // namespace invite::worker
