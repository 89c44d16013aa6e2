#include "status_relay.hpp"

#include <algorithm>

#include "invite/common/log.hpp"

namespace invite::mailer {
namespace {
constexpr std::size_t kBatch = 500;
}

StatusRelay::StatusRelay(kafka::Producer& producer, store::MailerStore& store, common::Registry& metrics)
    : producer_(producer),
      store_(store),
      published_(metrics.counter("invite_mailer_status_published_total", "Status events acknowledged by Kafka")),
      failed_(metrics.counter("invite_mailer_status_failures_total",
                              "Status event deliveries that failed and will be retried")) {}

void StatusRelay::pump() {
  for (auto& row : store_.unsent(kBatch, taken_up_to_)) {
    taken_up_to_ = std::max(taken_up_to_, row.id);
    if (!sending_.insert(row.id).second) continue;  // read again after a failure, still on its way
    kafka::OutRecord record{std::move(row.topic), std::nullopt, std::move(row.key), std::move(row.value),
                            std::move(row.headers)};
    producer_.produce(std::move(record), [this, id = row.id](const kafka::DeliveryReport& report) {
      if (!report.ok) common::log_warn("status event delivery failed", {{"rowId", id}, {"error", report.error}});
      std::lock_guard lock(mu_);
      results_.push_back({id, report.ok});
    });
  }
}

void StatusRelay::drain() {
  std::vector<Result> results;
  {
    std::lock_guard lock(mu_);
    results.swap(results_);
  }
  std::vector<std::int64_t> sent;
  for (const auto& result : results) {
    sending_.erase(result.row_id);
    if (result.ok) {
      sent.push_back(result.row_id);
    } else {
      taken_up_to_ = std::min(taken_up_to_, result.row_id - 1);
      failed_.inc();
    }
  }
  store_.mark_sent(sent);
  published_.inc(static_cast<double>(sent.size()));
}

}  // namespace invite::mailer
