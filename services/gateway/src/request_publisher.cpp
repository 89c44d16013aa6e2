#include "request_publisher.hpp"

#include <atomic>
#include <memory>
#include <mutex>

namespace invite::gateway {
namespace {

// Joins the delivery reports of one request into a single outcome.
struct DeliveryJoin {
  explicit DeliveryJoin(std::size_t n, std::function<void(std::optional<PublishError>)> done)
      : remaining(n), on_done(std::move(done)) {}
  std::atomic<std::size_t> remaining;
  std::mutex mu;
  std::optional<PublishError> first_error;
  std::function<void(std::optional<PublishError>)> on_done;

  void report(const kafka::DeliveryReport& report) {
    if (!report.ok) {
      std::lock_guard lock(mu);
      if (!first_error) first_error = PublishError{report.error, report.queue_full};
    }
    if (remaining.fetch_sub(1) == 1) {
      std::optional<PublishError> error;
      {
        std::lock_guard lock(mu);
        error = first_error;
      }
      on_done(std::move(error));
    }
  }
};

}  // namespace

void KafkaRequestPublisher::publish(const std::vector<events::RequestedInvitation>& records,
                                    const std::string& traceparent,
                                    std::function<void(std::optional<PublishError> error)> on_done) {
  if (records.empty()) {
    on_done(std::nullopt);
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
