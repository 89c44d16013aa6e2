#pragma once
// The gateway's only dependency on Kafka for the invite path: publish a request's records and learn whether all
// of them were durably accepted. An interface so the endpoint can be tested without a broker.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "invite/domain/events.hpp"
#include "invite/kafka/client.hpp"

namespace invite::gateway {

class RequestPublisher {
 public:
  virtual ~RequestPublisher() = default;
  // on_done runs exactly once, after the last delivery report, with the first error (nullopt when all were acked).
  virtual void publish(const std::vector<domain::RequestedInvitation>& records, const std::string& traceparent,
                       std::function<void(std::optional<std::string> error)> on_done) = 0;
};

// invite.requested.v1: key = portal (all of a request's records on one partition, in order), headers
// correlation-id, reply-partition and, when the client sent one, traceparent.
class KafkaRequestPublisher final : public RequestPublisher {
 public:
  explicit KafkaRequestPublisher(kafka::Producer& producer) : producer_(producer) {}
  void publish(const std::vector<domain::RequestedInvitation>& records, const std::string& traceparent,
               std::function<void(std::optional<std::string> error)> on_done) override;

 private:
  kafka::Producer& producer_;
};

}  // namespace invite::gateway
