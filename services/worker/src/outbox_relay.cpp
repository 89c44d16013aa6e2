#include "outbox_relay.hpp"

#include <algorithm>

#include "invite/common/log.hpp"

namespace invite::worker {
namespace {
constexpr std::size_t kBatch = 1000;
}

OutboxRelay::OutboxRelay(kafka::Producer& producer, common::Registry& metrics)
    : producer_(producer),
      published_(metrics.counter("invite_worker_outbox_published_total", "Outbox rows acknowledged by Kafka")),
      failed_(metrics.counter("invite_worker_outbox_failures_total", "Outbox deliveries that failed and will be retried")) {}

void OutboxRelay::pump(std::int32_t partition, store::PartitionStore& store) {
  auto& sending = sending_[partition];
  auto& taken = taken_up_to_[partition];
  auto rows = store.unsent(kBatch, taken);
  // Nothing else makes the worker pump an idle partition again, so drain() has to remember that rows remain.
  if (rows.size() == kBatch) {
    truncated_.insert(partition);
  } else {
    truncated_.erase(partition);
  }
  for (auto& row : rows) {
    taken = std::max(taken, row.id);
    if (sending.contains(row.id)) continue;  // re-read after a failure, still on its way
    send(partition, std::move(row));
  }
}

void OutboxRelay::publish_committed(std::int32_t partition, std::vector<store::OutboxRow> rows,
                                    store::PartitionStore& store) {
  auto& taken = taken_up_to_[partition];
  // Anything else unsent (left behind by a truncated pump, a failed delivery, a previous run) comes first: the
  // store is the only one that knows it.
  if (rows.empty() || truncated_.contains(partition) || rows.front().id != taken + 1) return pump(partition, store);
  taken = rows.back().id;
  for (auto& row : rows) send(partition, std::move(row));
}

void OutboxRelay::send(std::int32_t partition, store::OutboxRow row) {
  sending_[partition].insert(row.id);
  kafka::OutRecord record{std::move(row.topic), row.partition, std::move(row.key), std::move(row.value),
                          std::move(row.headers)};
  producer_.produce(std::move(record), [this, partition, id = row.id](const kafka::DeliveryReport& report) {
    if (!report.ok) common::log_warn("outbox delivery failed", {{"rowId", id}, {"error", report.error}});
    std::lock_guard lock(mu_);
    results_.push_back({partition, id, report.ok});
  });
}

std::set<std::int32_t> OutboxRelay::drain(const std::map<std::int32_t, store::PartitionStore*>& stores) {
  std::vector<Result> results;
  {
    std::lock_guard lock(mu_);
    results.swap(results_);
  }
  std::map<std::int32_t, std::vector<std::int64_t>> sent;
  std::set<std::int32_t> failed_partitions;
  for (const auto& r : results) {
    sending_[r.partition].erase(r.row_id);
    if (r.ok) {
      sent[r.partition].push_back(r.row_id);
    } else {
      auto& taken = taken_up_to_[r.partition];
      taken = std::min(taken, r.row_id - 1);
      failed_partitions.insert(r.partition);
      failed_.inc();
    }
  }
  for (auto& [partition, ids] : sent) {
    auto* store = stores.at(partition);
    store->mark_sent(ids);
    published_.inc(static_cast<double>(ids.size()));
    // Never inside an open group: the pump would publish rows the group has not made durable yet. The worker
    // pumps that partition right after the group commits anyway.
    if (truncated_.contains(partition) && sending_[partition].empty() && !store->in_group()) pump(partition, *store);
  }
  return failed_partitions;
}

std::size_t OutboxRelay::in_flight() const {
  std::size_t n = 0;
  for (const auto& [partition, ids] : sending_) n += ids.size();
  return n;
}

}  // namespace invite::worker
