#pragma once
// A small, thread-safe metrics registry rendered in the Prometheus text exposition format (version 0.0.4).
// Metric objects live as long as the registry; hot paths keep references and update them lock-free.
#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace invite::common {

using Labels = std::map<std::string, std::string>;

class Counter {
 public:
  void inc(double v = 1.0);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);  // sorted ascending; +Inf is implicit
  void observe(double v);
  // Snapshot for rendering: cumulative counts per bound (+Inf last), sum, count.
  struct Snapshot {
    std::vector<double> bounds;
    std::vector<uint64_t> cumulative;
    double sum;
    uint64_t count;
  };
  Snapshot snapshot() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // one per bound plus +Inf
  std::atomic<double> sum_{0.0};
};

class Registry {
 public:
  // Out of line: Family is only complete in metrics.cpp.
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Same name and labels return the same object. A name keeps the type and help of its first registration.
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                       const Labels& labels = {});
  std::string render() const;  // "# HELP", "# TYPE", then one sample per line; families in name order

 private:
  struct Family;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>, std::less<>> families_;
};

// Latency buckets in seconds used by every request/operation histogram of the project.
std::vector<double> default_latency_buckets();

}  // namespace invite::common
