#include "request_publisher.hpp"

#include <atomic>
#include <memory>
#include <mutex>

namespace invite::gateway {
namespace {

// Joins the delivery reports of one request into a single outcome.
struct DeliveryJoin {
  explicit DeliveryJoin(std::size_t n, std::function<void(PublishOutcome)> done)
      : remaining(n), on_done(std::move(done)) {}
  std::atomic<std::size_t> remaining;
  std::mutex mu;
  PublishOutcome outcome;  // success until a delivery fails; then the first failure
  std::function<void(PublishOutcome)> on_done;

  void report(const kafka::DeliveryReport& report) {
    if (!report.ok) {
      std::lock_guard lock(mu);
      if (outcome) outcome = PublishError{report.error, report.queue_full};
    }
    if (remaining.fetch_sub(1) == 1) {
      PublishOutcome joined;
      {
        std::lock_guard lock(mu);
        joined = outcome;
      }
      on_done(std::move(joined));
    }
  }
};

}  // namespace

void KafkaRequestPublisher::publish(const std::vector<events::RequestedInvitation>& records,
                                    const std::string& traceparent,
                                    std::function<void(PublishOutcome outcome)> on_done) {
  if (records.empty()) {
    on_done({});
    return;
  }
  auto join = std::make_shared<DeliveryJoin>(records.size(), std::move(on_done));
  for (const auto& record : records) {
    kafka::OutRecord out;
    out.topic = std::string(events::topics::kRequested);
    out.key = record.portal;
    out.value = events::encode_requested(record);
    out.headers.emplace_back(events::headers::kCorrelationId, record.request_id);
    out.headers.emplace_back(events::headers::kReplyPartition, std::to_string(record.reply_partition));
    if (!traceparent.empty()) out.headers.emplace_back(events::headers::kTraceparent, traceparent);
    producer_.produce(std::move(out), [join](const kafka::DeliveryReport& report) { join->report(report); });
  }
}

}  // namespace invite::gateway
