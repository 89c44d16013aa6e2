#include "invite/outbox/relay.hpp"

#include <algorithm>
#include <cassert>

#include "invite/common/log.hpp"

namespace invite::outbox {

Relay::Relay(kafka::Producer& producer, Outbox& outbox, RelaySettings settings)
    : producer_(producer), outbox_(outbox), settings_(std::move(settings)) {
  assert(settings_.batch > 0 && settings_.published && settings_.failed);
}

void Relay::pump() {
  auto rows = outbox_.unsent(settings_.batch, taken_up_to_);
  truncated_ = rows.size() == settings_.batch;
  for (auto& row : rows) {
    taken_up_to_ = std::max(taken_up_to_, row.id);
    if (sending_.contains(row.id)) continue;  // read again after a failure, still on its way
    send(std::move(row));
  }
}

void Relay::publish_committed(std::vector<Row> rows) {
  // Anything else unsent (left behind by a truncated pump, a failed delivery, a previous run) comes first: the
  // store is the only one that knows it.
  if (rows.empty() || truncated_ || rows.front().id != taken_up_to_ + 1) return pump();
  taken_up_to_ = rows.back().id;
  for (auto& row : rows) send(std::move(row));
}

void Relay::send(Row row) {
  const std::int64_t id = row.id;
  sending_.insert(id);
  producer_.produce(std::move(static_cast<common::Message&>(row)), [this, id](const kafka::DeliveryReport& report) {
    if (!report.ok) common::log_warn(settings_.what + " delivery failed", {{"rowId", id}, {"error", report.error}});
    std::lock_guard lock(mu_);
    results_.push_back({id, report.ok});
  });
}

bool Relay::drain() {
  std::vector<Result> results;
  {
    std::lock_guard lock(mu_);
    results.swap(results_);
  }
  std::vector<std::int64_t> sent;
  bool failed = false;
  for (const auto& result : results) {
    sending_.erase(result.row_id);
    if (result.ok) {
      sent.push_back(result.row_id);
    } else {
      taken_up_to_ = std::min(taken_up_to_, result.row_id - 1);
      failed = true;
      settings_.failed->inc();
    }
  }
  if (!sent.empty()) {
    outbox_.mark_sent(sent);
    settings_.published->inc(static_cast<double>(sent.size()));
    // Never inside an open group: the pump would publish rows the group has not made durable yet. The owner
    // publishes that outbox right after the group commits anyway.
    if (truncated_ && sending_.empty() && !outbox_.in_group()) pump();
  }
  return failed;
}

}  // namespace invite::outbox
