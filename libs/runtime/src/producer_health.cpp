#include "invite/runtime/producer_health.hpp"

#include <cstdlib>
#include <memory>
#include <mutex>
#include <string_view>

#include "invite/common/log.hpp"
#include "invite/http/server.hpp"

namespace invite::runtime {

std::function<std::string()> metrics_renderer(common::Registry& metrics, const kafka::Producer& producer) {
  auto& counter = metrics.counter("invite_kafka_producer_fatal_errors_total",
                                  "Fatal errors of the Kafka producer (each one replaced the librdkafka producer)");
  // The producer counts; the registry only has increments, so a render adds what it has not seen yet. Serialised:
  // two concurrent scrapes must not both add the same difference.
  return [&metrics, &counter, &producer, mutex = std::make_shared<std::mutex>()] {
    {
      std::lock_guard lock(*mutex);
      const double seen = static_cast<double>(producer.fatal_errors());
      if (seen > counter.value()) counter.inc(seen - counter.value());
    }
    return metrics.render();
  };
}

void add_producer_readiness(const kafka::Producer& producer, std::vector<std::string>& reasons) {
  if (producer.recovering()) reasons.emplace_back(kProducerRecovering);
}

void add_test_hooks(http::Router& router, kafka::Producer& producer) {
  const char* enabled = std::getenv("INVITE_TEST_HOOKS");
  if (enabled == nullptr || std::string_view(enabled) != "1") return;
  common::log_warn("test hooks enabled (INVITE_TEST_HOOKS=1): never in production",
                   {{"endpoints", "POST /test/kafka-fatal-error"}});
  router.add("POST", "/test/kafka-fatal-error", [&producer](http::Request request, http::Respond respond) {
    common::log_warn("injecting a fatal Kafka producer error (test hook)", {{"from", request.remote_address}});
    producer.inject_fatal_error_for_test("injected through POST /test/kafka-fatal-error");
    http::Response response;
    response.status = 202;
    response.set("Content-Type", "application/json; charset=utf-8");
    response.body = R"({"status":"injected"})";
    respond(std::move(response));
  });
}

}  // namespace invite::runtime
