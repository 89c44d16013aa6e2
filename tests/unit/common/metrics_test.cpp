#include "invite/common/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

using namespace invite::common;

TEST(Metrics, RendersExactTextFormat) {
  Registry registry;
  // Registered out of name order: the output is sorted by family name.
  auto& latency = registry.histogram("invite_latency_seconds", "Request latency.", {0.25, 1}, {{"route", "invite"}});
  auto& requests_ok = registry.counter("invite_requests_total", "Requests by status.", {{"status", "200"}});
  auto& requests_bad = registry.counter("invite_requests_total", "ignored: first help wins", {{"status", "400"}});
  auto& pending = registry.gauge("invite_pending", "Requests waiting for a reply.");

  requests_ok.inc();
  requests_ok.inc(2);
  requests_bad.inc(0.5);
  pending.set(3);
  pending.add(-1);
  latency.observe(0.125);
  latency.observe(0.25);  // on a bound: counted in that bucket (le = less or equal)
  latency.observe(0.5);
  latency.observe(7);

  EXPECT_EQ(registry.render(),
            "# HELP invite_latency_seconds Request latency.\n"
            "# TYPE invite_latency_seconds histogram\n"
            "invite_latency_seconds_bucket{route=\"invite\",le=\"0.25\"} 2\n"
            "invite_latency_seconds_bucket{route=\"invite\",le=\"1\"} 3\n"
            "invite_latency_seconds_bucket{route=\"invite\",le=\"+Inf\"} 4\n"
            "invite_latency_seconds_sum{route=\"invite\"} 7.875\n"
            "invite_latency_seconds_count{route=\"invite\"} 4\n"
            "# HELP invite_pending Requests waiting for a reply.\n"
            "# TYPE invite_pending gauge\n"
            "invite_pending 2\n"
            "# HELP invite_requests_total Requests by status.\n"
            "# TYPE invite_requests_total counter\n"
            "invite_requests_total{status=\"200\"} 3\n"
            "invite_requests_total{status=\"400\"} 0.5\n");
}

TEST(Metrics, SameNameAndLabelsIsTheSameObject) {
  Registry registry;
  auto& a = registry.counter("c_total", "help", {{"k", "v"}});
  auto& b = registry.counter("c_total", "help", {{"k", "v"}});
  auto& other = registry.counter("c_total", "help", {{"k", "w"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);
  auto& h1 = registry.histogram("h", "help", default_latency_buckets());
  auto& h2 = registry.histogram("h", "help", {1, 2});
  EXPECT_EQ(&h1, &h2);
  EXPECT_EQ(h2.snapshot().bounds, default_latency_buckets());
}

TEST(Metrics, LabelValuesAndHelpAreEscaped) {
  Registry registry;
  registry.counter("esc_total", "a \\ b\nc", {{"path", "C:\\x \"q\"\nend"}}).inc();
  EXPECT_EQ(registry.render(),
            "# HELP esc_total a \\\\ b\\nc\n"
            "# TYPE esc_total counter\n"
            "esc_total{path=\"C:\\\\x \\\"q\\\"\\nend\"} 1\n");
}

TEST(Metrics, MultipleLabelsAreSortedByName) {
  Registry registry;
  registry.gauge("g", "help", {{"zone", "b"}, {"app", "a"}}).set(1.25);
  EXPECT_NE(registry.render().find("g{app=\"a\",zone=\"b\"} 1.25\n"), std::string::npos) << registry.render();
}

TEST(Metrics, EmptyHistogramRendersZeroBuckets) {
  Registry registry;
  registry.histogram("empty_seconds", "h", {0.5});
  EXPECT_EQ(registry.render(),
            "# HELP empty_seconds h\n"
            "# TYPE empty_seconds histogram\n"
            "empty_seconds_bucket{le=\"0.5\"} 0\n"
            "empty_seconds_bucket{le=\"+Inf\"} 0\n"
            "empty_seconds_sum 0\n"
            "empty_seconds_count 0\n");
}

TEST(Metrics, ConcurrentUpdatesAreNotLost) {
  Registry registry;
  auto& counter = registry.counter("n_total", "h");
  auto& gauge = registry.gauge("g", "h");
  auto& histogram = registry.histogram("h_seconds", "h", default_latency_buckets());
  constexpr int kThreads = 4, kIterations = 20000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIterations; ++i) {
        counter.inc();
        gauge.add(1);
        histogram.observe(0.2);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(counter.value(), kThreads * kIterations);
  EXPECT_EQ(gauge.value(), kThreads * kIterations);
  const auto snap = histogram.snapshot();
  EXPECT_EQ(snap.count, static_cast<uint64_t>(kThreads * kIterations));
  EXPECT_EQ(snap.cumulative.back(), snap.count);
  EXPECT_EQ(snap.cumulative[3], 0u);          // le=0.05
  EXPECT_EQ(snap.cumulative[5], snap.count);  // le=0.25
  EXPECT_NEAR(snap.sum, 0.2 * kThreads * kIterations, 1e-6);
}

TEST(Metrics, DefaultLatencyBuckets) {
  EXPECT_EQ(default_latency_buckets(), (std::vector<double>{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}));
}
