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

// invite.requested.v1's record: key = portal, headers correlation-id, reply-partition and traceparent when sent.
kafka::OutRecord requested_record(std::string portal, std::string value, const std::string& request_id,
                                  int reply_partition, const std::string& traceparent) {
  kafka::OutRecord out;
  out.topic = std::string(events::topics::kRequested);
  out.key = std::move(portal);
  out.value = std::move(value);
  out.headers.emplace_back(events::headers::kCorrelationId, request_id);
  out.headers.emplace_back(events::headers::kReplyPartition, std::to_string(reply_partition));
  if (!traceparent.empty()) out.headers.emplace_back(events::headers::kTraceparent, traceparent);
  return out;
}

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
    producer_.produce(requested_record(record.portal, events::encode_requested(record), record.request_id,
                                       record.reply_partition, traceparent),
                      [join](const kafka::DeliveryReport& report) { join->report(report); });
  }
}

void KafkaRequestPublisher::publish_one(EncodedRequest record, const std::string& traceparent,
                                        std::function<void(PublishOutcome outcome)> on_done) {
  producer_.produce(requested_record(std::move(record.portal), std::move(record.value), record.request_id,
                                     record.reply_partition, traceparent),
                    [on_done = std::move(on_done)](const kafka::DeliveryReport& report) {
                      if (report.ok) return on_done({});
                      on_done(PublishError{report.error, report.queue_full});
                    });
}

}  // namespace invite::gateway
