#pragma once
// The gateway's only dependency on Kafka for the invite path: publish a request's records and learn whether all
// of them were durably accepted. An interface so the endpoint can be tested without a broker.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/system/result.hpp>

#include "invite/events/events.hpp"
#include "invite/kafka/client.hpp"

namespace invite::gateway {

struct PublishError {
  std::string message;
  bool queue_full = false;  // the producer's queue was at its bound: the gateway is overloaded, Kafka may be fine
};
// Typed: the gateway answers an overloaded producer (queue_full) differently from an unreachable Kafka.
using PublishOutcome = boost::system::result<void, PublishError>;

// One record of invite.requested.v1 already encoded (a command of the invitation's later life, commands.hpp).
struct EncodedRequest {
  std::string portal;  // the key
  std::string value;
  std::string request_id;  // header correlation-id
  int reply_partition = 0;
};

class RequestPublisher {
 public:
  virtual ~RequestPublisher() = default;
  // False when `records` more would take the records waiting for Kafka past their bound: the caller refuses
  // the request before publishing any of it.
  virtual bool has_room(std::size_t records) const = 0;
  // on_done runs exactly once, after the last delivery report: success when all were acked, else the first
  // failed delivery's error.
  virtual void publish(const std::vector<events::RequestedInvitation>& records, const std::string& traceparent,
                       std::function<void(PublishOutcome outcome)> on_done) = 0;
  // One record, with the same key and headers as publish() gives each of its records; on_done runs once, after
  // its delivery report.
  virtual void publish_one(EncodedRequest record, const std::string& traceparent,
                           std::function<void(PublishOutcome outcome)> on_done) = 0;
};

// invite.requested.v1: key = portal (all of a request's records on one partition, in order), headers
// correlation-id, reply-partition and, when the client sent one, traceparent.
class KafkaRequestPublisher final : public RequestPublisher {
 public:
  // max_queued: records the producer may hold undelivered (queued or in flight) before has_room() says no.
  KafkaRequestPublisher(kafka::Producer& producer, std::size_t max_queued)
      : producer_(producer), max_queued_(max_queued) {}
  bool has_room(std::size_t records) const override { return producer_.queued() + records <= max_queued_; }
  void publish(const std::vector<events::RequestedInvitation>& records, const std::string& traceparent,
               std::function<void(PublishOutcome outcome)> on_done) override;
  void publish_one(EncodedRequest record, const std::string& traceparent,
                   std::function<void(PublishOutcome outcome)> on_done) override;

 private:
  kafka::Producer& producer_;
  std::size_t max_queued_;
};

}  // namespace invite::gateway
