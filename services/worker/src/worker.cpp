#include "worker.hpp"

#include <algorithm>
#include <cassert>
#include <set>
#include <stdexcept>
#include <variant>

#include "apply_command.hpp"
#include "apply_request.hpp"
#include "dead_letters.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/domain/validation.hpp"
#include "periodic.hpp"
#include "status_follower.hpp"

namespace invite::worker {

using namespace std::chrono_literals;

namespace {
const std::string kRequestedTopic(events::topics::kRequested);
const std::string kStatusTopic(events::topics::kEmailStatus);
constexpr std::size_t kRelayBatch = 1000;
constexpr auto kRetryPause = 1s;
constexpr auto kSweepInterval = 500ms;
constexpr auto kCommitInterval = 5s;
constexpr auto kPruneInterval = std::chrono::hours(1);
// How often the followed positions of invite.email-status.v1 are stored in the files that no status went to: a
// restart re-reads at most this much of it (harmless, only slower), and an idle worker pays one sync per file.
constexpr auto kFollowedInterval = 5s;
// A group closes when librdkafka has no more records at hand, or at these bounds: they cap what one sync can
// delay (the first request of a group waits for the last) while still amortising a sync over hundreds of requests.
constexpr std::size_t kGroupRecords = 2000;
constexpr auto kGroupTime = 20ms;
}  // namespace

Worker::Worker(WorkerEnvironment env, std::map<std::int32_t, std::unique_ptr<store::PartitionStore>> stores)
    : env_(std::move(env)), metrics_(*env_.metrics), stores_(std::move(stores)), reply_partitions_(*env_.producer) {
  assert(env_.consumer && env_.producer && env_.portals && env_.metrics);
  for (auto& [partition, store] : stores_) {
    PartitionState& state = partitions_[partition];
    state.store = store.get();
    state.people = store.get();
    state.maintenance = store.get();
    state.relay = std::make_unique<outbox::Relay>(
        *env_.producer, *store,
        outbox::RelaySettings{kRelayBatch, "outbox", &metrics_.outbox_published, &metrics_.outbox_failures});
  }
}

common::Result<> Worker::start() {
  std::vector<kafka::Assignment> assignments;
  for (auto& [partition, state] : partitions_) {
    const auto marks = env_.consumer->watermarks(kRequestedTopic, partition, 10s);
    if (!marks)
      return common::fail("cannot read the offsets of " + kRequestedTopic + " partition " + std::to_string(partition));
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
    state.relay->pump();
  }
  auto followed = follow_assignments();
  if (!followed) return followed.error();
  assignments.insert(assignments.end(), followed->begin(), followed->end());
  auto assigned = env_.consumer->assign(assignments);
  ready_ = assigned.has_value();
  return assigned;
}

common::Result<std::vector<kafka::Assignment>> Worker::follow_assignments() {
  std::vector<store::PeopleStore*> files;
  for (auto& [partition, state] : partitions_) files.push_back(state.people);
  std::vector<kafka::Assignment> assignments;
  for (std::int32_t partition = 0; partition < env_.status_partitions; ++partition) {
    const auto marks = env_.consumer->watermarks(kStatusTopic, partition, 10s);
    if (!marks)
      return common::fail("cannot read the offsets of " + kStatusTopic + " partition " + std::to_string(partition));
    const auto [low, high] = *marks;
    // Never followed by one of the files (a new file, or one from before the follower): from the earliest status
    // still retained, so that the invitations still pending get their outcome (docs/architecture.md).
    std::int64_t offset = resume_followed(files, kStatusTopic, partition).value_or(low);
    if (offset > high || offset < low) offset = low;  // the topic was recreated, or statuses expired unread
    status_next_[partition] = offset;
    assignments.push_back({kStatusTopic, partition, offset});
    for (auto& [p, state] : partitions_) {
      if (const auto stored = state.people->followed_offset(kStatusTopic, partition)) {
        state.followed_written[partition] = *stored;
      }
    }
  }
  common::log_info("following delivery statuses",
                   {{"topic", kStatusTopic}, {"partitions", std::int64_t{env_.status_partitions}}});
  return assignments;
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
    metrics_.group_commit_duration.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    metrics_.group_requests.observe(static_cast<double>(state.grouped));
    state.grouped = 0;
    state.dirty = true;  // only now may the relay publish what the group wrote
  }
}

void Worker::publish_committed() {
  for (auto& [partition, state] : partitions_) {
    if (!state.dirty) continue;
    state.relay->publish_committed(std::move(state.written));
    state.written.clear();
    state.dirty = false;
  }
}

void Worker::write(PartitionState& state, store::RequestCommit commit) {
  const auto ids = state.store->apply(commit);
  assert(ids.size() == commit.outbox.size());
  for (std::size_t i = 0; i < ids.size(); ++i) state.written.push_back({std::move(commit.outbox[i]), ids[i]});
  state.stored_next = commit.next_offset;
}

void Worker::send_to_dlq(PartitionState& state, const kafka::InRecord& record, const std::string& error) {
  join_group(state);
  common::log_warn("record sent to the DLQ",
                   {{"partition", std::int64_t{record.partition}}, {"offset", record.offset}, {"error", error}});
  store::RequestCommit commit;
  commit.outbox.push_back(dlq_message(record, error));
  commit.next_offset = resume_offset(record.partition, state);
  write(state, std::move(commit));
  metrics_.records_dlq.inc();
}

void Worker::apply(PartitionState& state, std::int32_t partition, CompleteRequest request) {
  const auto started = std::chrono::steady_clock::now();
  join_group(state);  // before the reads, so that the decision sees every earlier request of the group
  const auto& first = request.records.front();
  const domain::Portal* portal = env_.portals->find_by_host_header(first.portal);
  assert(portal != nullptr);  // admitted records name a known portal

  Decision decision =
      decide_request(request, *state.store, {portal, env_.link_secret, common::now_ms(), &common::new_uuid});
  decision.commit.next_offset = resume_offset(partition, state);
  write(state, std::move(decision.commit));

  metrics_.apply_duration.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  metrics_.requests(decision.outcome).inc();
  metrics_.users_created.inc(static_cast<double>(decision.created));
  common::log_debug("request applied", {{"requestId", first.request_id},
                                        {"portal", first.portal},
                                        {"outcome", std::string(domain::to_string(decision.outcome))},
                                        {"invitations", static_cast<std::int64_t>(request.records.size())},
                                        {"created", static_cast<std::int64_t>(decision.created)},
                                        {"raised", static_cast<std::int64_t>(decision.raised)}});
}

void Worker::apply_command(PartitionState& state, std::int32_t partition, const events::PeopleCommand& command,
                           const std::string& traceparent) {
  const auto started = std::chrono::steady_clock::now();
  const std::int64_t now = common::now_ms();
  if (skip_as_expired(command, now)) {
    // Nobody waits for a read past its deadline, and it changes nothing: no reply, nothing to store.
    metrics_.expired_reads(command.kind).inc();
    common::log_debug("read command skipped after its deadline",
                      {{"requestId", command.request_id}, {"command", std::string(events::to_string(command.kind))}});
    return;
  }
  join_group(state);  // before the reads, so that the decision sees every earlier request of the group
  const domain::Portal* portal = env_.portals->find_by_host_header(command.portal);
  assert(portal != nullptr);  // admitted records name a known portal

  CommandDecision decision =
      decide_command(command, *state.people, {portal, env_.link_secret, now, &common::new_uuid}, {traceparent});
  decision.commit.next_offset = resume_offset(partition, state);
  write(state, std::move(decision.commit));

  metrics_.apply_duration.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  metrics_.commands(decision.kind, decision.outcome).inc();
  common::log_debug("command applied", {{"requestId", command.request_id},
                                        {"portal", command.portal},
                                        {"command", std::string(events::to_string(decision.kind))},
                                        {"outcome", std::string(domain::to_string(decision.outcome))}});
}

std::vector<store::FollowedOffset> Worker::unwritten_followed(PartitionState& state) {
  std::vector<store::FollowedOffset> followed;
  for (const auto& [partition, next] : status_next_) {
    auto [it, inserted] = state.followed_written.try_emplace(partition, next);
    if (!inserted && it->second == next) continue;
    it->second = next;
    followed.push_back({kStatusTopic, partition, next});
  }
  return followed;
}

void Worker::record_followed() {
  for (auto& [partition, state] : partitions_) {
    auto followed = unwritten_followed(state);
    if (followed.empty()) continue;
    join_group(state);
    store::RequestCommit commit;
    commit.followed = std::move(followed);
    commit.next_offset = resume_offset(partition, state);
    write(state, std::move(commit));
  }
}

void Worker::on_status(const kafka::InRecord& record) {
  status_next_[record.partition] = record.offset + 1;
  const auto status = events::decode_email_status(record.value);
  if (!status) {
    // Not our topic: a record we cannot read is the mailer's problem, never a reason to stop or dead-letter.
    metrics_.delivery_statuses("undecodable").inc();
    common::log_warn(
        "delivery status skipped: it does not decode",
        {{"partition", std::int64_t{record.partition}}, {"offset", record.offset}, {"error", status.error().message}});
    return;
  }
  const domain::Portal* portal = env_.portals->find_by_host_header(status->portal);
  if (portal != nullptr) {
    for (auto& [partition, state] : partitions_) {
      // An open group's connection reads its own writes (a user invited a moment ago included). Outside a group
      // the read is not in the write's transaction, which is harmless here: the store drops an outcome whose user
      // is gone by then.
      auto delivery = delivery_for(*status, portal->host, *state.people);
      if (!delivery) continue;
      join_group(state);
      store::RequestCommit commit;
      commit.portal = portal->host;
      commit.deliveries.push_back(std::move(*delivery));
      commit.followed = unwritten_followed(state);
      commit.next_offset = resume_offset(partition, state);
      write(state, std::move(commit));
      metrics_.delivery_statuses("applied").inc();
      return;
    }
  }
  metrics_.delivery_statuses("not_ours").inc();
}

void Worker::on_record(const kafka::InRecord& record) {
  if (record.topic == kStatusTopic) return on_status(record);
  auto it = partitions_.find(record.partition);
  assert(it != partitions_.end());
  PartitionState& state = it->second;
  state.at_end = false;
  state.consumed_next = record.offset + 1;
  if (record.timestamp_ms > 0) {
    metrics_.record_age.observe(static_cast<double>(common::now_ms() - record.timestamp_ms) / 1000);
  }

  auto admitted = admit(record, *env_.portals, reply_partitions_);
  if (!admitted) return send_to_dlq(state, record, admitted.error().message);
  const std::string& request_id =
      std::visit([](const auto& event) -> const std::string& { return event.request_id; }, *admitted);
  if (state.store->request_applied(request_id)) {
    metrics_.records_skipped.inc();
    return;
  }
  std::string traceparent = kafka::header(record.headers, events::headers::kTraceparent).value_or("");
  // Passed on to every event the request causes, so only a well-formed one (other producers write here too).
  if (!domain::is_valid_traceparent(traceparent)) traceparent.clear();
  // A command is one record: applied at once, in the open group like a complete request.
  if (const auto* command = std::get_if<events::PeopleCommand>(&*admitted)) {
    return apply_command(state, record.partition, *command, traceparent);
  }
  auto& event = std::get<events::RequestedInvitation>(*admitted);
  auto added = assembler_.add(record.partition, record.offset, std::move(event), traceparent);
  if (added.ignored) {
    common::log_warn(
        "record ignored",
        {{"partition", std::int64_t{record.partition}}, {"offset", record.offset}, {"reason", *added.ignored}});
  }
  if (added.complete) apply(state, record.partition, std::move(*added.complete));
}

void Worker::drop_expired(std::int64_t now_ms) {
  for (auto& [partition, state] : partitions_) {
    // Only a caught-up partition can tell that a request's missing records are not merely unread yet.
    if (!state.at_end) continue;
    const auto dropped = assembler_.drop_expired(partition, now_ms);
    for (const auto& d : dropped) {
      metrics_.requests_dropped.inc();
      common::log_warn("incomplete request dropped after its deadline", {{"requestId", d.request_id},
                                                                         {"portal", d.portal},
                                                                         {"received", std::int64_t{d.received}},
                                                                         {"count", std::int64_t{d.count}}});
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
    const auto deleted = state.maintenance->prune(cutoff);
    if (deleted > 0) common::log_info("pruned", {{"partition", std::int64_t{partition}}, {"rows", deleted}});
  }
}

common::Result<> Worker::run(const std::atomic<bool>& stop) {
  const auto started = Periodic::Clock::now();
  Periodic retry_pause(kRetryPause, started);
  Periodic sweep(kSweepInterval, started);
  Periodic prune_files(kPruneInterval, started);
  Periodic commit_offsets(kCommitInterval, started + kCommitInterval);
  Periodic store_followed(kFollowedInterval, started + kFollowedInterval);
  std::set<std::int32_t> retry;  // partitions with a failed delivery, pumped again after a pause
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
          if (eof->topic == kRequestedTopic && it != partitions_.end()) it->second.at_end = true;
        } else if (auto* error = std::get_if<kafka::PollError>(&polled)) {
          common::log_warn("consumer error", {{"error", error->message}, {"fatal", error->fatal}});
          if (error->fatal) {
            ready_ = false;
            return common::fail("fatal consumer error: " +
                                error->message);  // the open groups roll back with their stores
          }
        } else {
          break;  // nothing more at hand
        }
        if (taken >= kGroupRecords || std::chrono::steady_clock::now() - group_started >= kGroupTime) break;
        polled = env_.consumer->poll(0ms);
      }
      // Acknowledged rows are marked inside the groups when there are any: no transaction of their own.
      for (auto& [partition, state] : partitions_) {
        if (state.relay->drain()) retry.insert(partition);
      }
      if (store_followed.due(Periodic::Clock::now())) record_followed();
      commit_groups();
      publish_committed();

      const auto now = Periodic::Clock::now();
      if (!retry.empty() && retry_pause.due(now)) {
        for (std::int32_t partition : retry) partitions_.at(partition).relay->pump();
        retry.clear();
      }
      if (sweep.due(now)) drop_expired(common::now_ms());
      if (prune_files.due(now)) prune();
      if (commit_offsets.due(now)) commit_group_offsets();
    }
    record_followed();  // so that a restart re-reads as little of invite.email-status.v1 as possible
    commit_groups();
  } catch (const std::exception& e) {
    ready_ = false;
    return common::fail(std::string("storage failure: ") + e.what());
  }
  // Give in-flight outbox rows a chance to be acknowledged and marked, so a restart republishes less.
  env_.producer->flush(5s);
  for (auto& [partition, state] : partitions_) state.relay->drain();
  commit_group_offsets();
  return {};
}

}  // namespace invite::worker
