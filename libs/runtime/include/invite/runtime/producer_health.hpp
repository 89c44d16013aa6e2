#pragma once
// What every service reports about its Kafka producer's fatal errors (kafka::Producer replaces a librdkafka
// producer that had one): a counter on /metrics, a reason on /readyz while it recovers, and, for the project's
// tests only, an endpoint that causes one.
#include <functional>
#include <string>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/kafka/client.hpp"

namespace invite::http {
class Router;
}

namespace invite::runtime {

inline constexpr const char* kProducerRecovering = "Kafka producer recovering from a fatal error";

// Registers invite_kafka_producer_fatal_errors_total in `metrics`; returns the /metrics renderer of `metrics`,
// which first brings that counter up to producer.fatal_errors(). Both must outlive the renderer.
std::function<std::string()> metrics_renderer(common::Registry& metrics, const kafka::Producer& producer);

// Adds kProducerRecovering to a /readyz answer's reasons while the producer recovers from a fatal error.
void add_producer_readiness(const kafka::Producer& producer, std::vector<std::string>& reasons);

// For the project's tests only, and only when the environment has INVITE_TEST_HOOKS=1 (then it logs a warning):
// POST /test/kafka-fatal-error raises a fatal error in the producer and answers 202. Otherwise it adds nothing,
// so the path does not exist. The producer must outlive the router.
void add_test_hooks(http::Router& router, kafka::Producer& producer);

}  // namespace invite::runtime
