#include "invite/runtime/producer_health.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "invite/http/server.hpp"

namespace invite::runtime {
namespace {

class FakeProducer : public kafka::Producer {
 public:
  void produce(kafka::OutRecord, std::function<void(const kafka::DeliveryReport&)>) override {}
  std::size_t queued() const override { return 0; }
  bool connected() const override { return !recovering_; }
  int flush(std::chrono::milliseconds) override { return 0; }
  std::optional<std::int32_t> partition_count(const std::string&, std::chrono::milliseconds) override {
    return std::nullopt;
  }
  std::uint64_t fatal_errors() const override { return fatal_errors_; }
  bool recovering() const override { return recovering_; }
  void inject_fatal_error_for_test(const std::string& reason) override { injected.push_back(reason); }

  std::uint64_t fatal_errors_ = 0;
  bool recovering_ = false;
  std::vector<std::string> injected;
};

http::Response call(const http::Router& router, const std::string& method, const std::string& path) {
  http::Request request;
  request.method = method;
  request.target = path;
  std::optional<http::Response> answer;
  router(std::move(request), [&answer](http::Response response) { answer = std::move(response); });
  EXPECT_TRUE(answer.has_value());
  return answer.value_or(http::Response{});
}

TEST(ProducerHealth, TheCounterFollowsTheProducersFatalErrors) {
  common::Registry metrics;
  FakeProducer producer;
  const auto render = metrics_renderer(metrics, producer);
  EXPECT_NE(render().find("\ninvite_kafka_producer_fatal_errors_total 0\n"), std::string::npos) << render();
  producer.fatal_errors_ = 2;
  EXPECT_NE(render().find("\ninvite_kafka_producer_fatal_errors_total 2\n"), std::string::npos) << render();
  EXPECT_NE(render().find("\ninvite_kafka_producer_fatal_errors_total 2\n"), std::string::npos) << render();
  EXPECT_NE(render().find("# TYPE invite_kafka_producer_fatal_errors_total counter"), std::string::npos);
}

TEST(ProducerHealth, NotReadyWhileRecovering) {
  FakeProducer producer;
  std::vector<std::string> reasons;
  add_producer_readiness(producer, reasons);
  EXPECT_TRUE(reasons.empty());
  producer.recovering_ = true;
  add_producer_readiness(producer, reasons);
  EXPECT_EQ(reasons, std::vector<std::string>{kProducerRecovering});
}

TEST(ProducerHealth, TheTestHookExistsOnlyWithTheVariable) {
  FakeProducer producer;
  for (const char* value : {static_cast<const char*>(nullptr), "0", "true", ""}) {
    if (value) {
      ::setenv("INVITE_TEST_HOOKS", value, 1);
    } else {
      ::unsetenv("INVITE_TEST_HOOKS");
    }
    http::Router router;
    add_test_hooks(router, producer);
    EXPECT_EQ(call(router, "POST", "/test/kafka-fatal-error").status, 404) << (value ? value : "unset");
  }
  ::setenv("INVITE_TEST_HOOKS", "1", 1);
  http::Router router;
  add_test_hooks(router, producer);
  ::unsetenv("INVITE_TEST_HOOKS");
  EXPECT_EQ(call(router, "POST", "/test/kafka-fatal-error").status, 202);
  EXPECT_EQ(call(router, "GET", "/test/kafka-fatal-error").status, 405);
  EXPECT_EQ(producer.injected.size(), 1u);
}

}  // namespace
}  // namespace invite::runtime
