#include "invite/common/metrics.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>

namespace invite::common {
namespace {

void atomic_add(std::atomic<double>& target, double v) {
  double current = target.load(std::memory_order_relaxed);
  while (!target.compare_exchange_weak(current, current + v, std::memory_order_relaxed)) {
  }
}

// Prometheus reads Go's float syntax: shortest round-trip digits, and +Inf / -Inf / NaN spelled out.
std::string format_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, v);
  assert(result.ec == std::errc());
  return std::string(buf, result.ptr);
}

std::string format_value(std::uint64_t v) { return std::to_string(v); }

std::string escape_label_value(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// HELP text escapes only backslash and newline (format 0.0.4).
std::string escape_help(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out.push_back(c);
  }
  return out;
}

// `{a="1",b="2"}`, with an optional extra label last (the histogram's `le`); "" when there are no labels.
std::string render_labels(const Labels& labels, std::string_view extra_name = {}, std::string_view extra_value = {}) {
  if (labels.empty() && extra_name.empty()) return {};
  std::string out = "{";
  bool first = true;
  auto add = [&](std::string_view name, std::string_view value) {
    if (!first) out.push_back(',');
    first = false;
    out.append(name);
    out += "=\"";
    out += escape_label_value(value);
    out.push_back('"');
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (!extra_name.empty()) add(extra_name, extra_value);
  out.push_back('}');
  return out;
}

enum class Kind { Counter, Gauge, Histogram };

std::string_view kind_name(Kind kind) {
  switch (kind) {
    case Kind::Counter:
      return "counter";
    case Kind::Gauge:
      return "gauge";
    case Kind::Histogram:
      return "histogram";
  }
  return "untyped";
}

}  // namespace

void Counter::inc(double v) {
  // Counters only go up; a negative increment would make rate() report a reset.
  assert(v >= 0);
  if (!(v >= 0)) return;
  atomic_add(value_, v);
}

void Gauge::add(double v) { atomic_add(value_, v); }

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  assert(std::is_sorted(bounds_.begin(), bounds_.end()));
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  // +Inf is always the implicit last bucket; an explicit one would be rendered twice.
  while (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0) bounds_.pop_back();
  buckets_ = std::make_unique<std::atomic<uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // Buckets hold plain (non-cumulative) counts so an observation touches one atomic; snapshot() accumulates.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  const auto index = static_cast<std::size_t>(it - bounds_.begin());
  buckets_[index].fetch_add(1, std::memory_order_relaxed);
  atomic_add(sum_, v);
}

Histogram::Snapshot Histogram::snapshot() const {
  Snapshot s{bounds_, {}, sum_.load(std::memory_order_relaxed), 0};
  s.cumulative.reserve(bounds_.size() + 1);
  uint64_t running = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    running += buckets_[i].load(std::memory_order_relaxed);
    s.cumulative.push_back(running);
  }
  // _count is the +Inf bucket by definition; no separate counter that could disagree mid-update.
  s.count = running;
  return s;
}

struct Registry::Family {  // its name is the key in families_
  std::string help;
  Kind kind;
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;
};

namespace {

template <typename Map, typename Make>
auto& find_or_add(Map& map, const Labels& labels, Make make) {
  auto it = map.find(labels);
  if (it == map.end()) it = map.emplace(labels, make()).first;
  return *it->second;
}

// Templated on the map so that it can work with the registry's private Family type without naming it.
// A name registered again with another type is a programming error; the caller still gets a working object
// (kept in the family but never rendered) rather than a crash in production.
template <typename FamilyMap>
auto& family_for(FamilyMap& families, std::string_view name, std::string_view help, Kind kind) {
  using Family = typename FamilyMap::mapped_type::element_type;
  auto it = families.find(name);
  if (it == families.end()) {
    auto family = std::make_unique<Family>();
    family->help = std::string(help);
    family->kind = kind;
    it = families.emplace(std::string(name), std::move(family)).first;
  }
  assert(it->second->kind == kind && "metric registered twice with different types");
  return *it->second;
}

}  // namespace

Registry::Registry() = default;
Registry::~Registry() = default;

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& family = family_for(families_, name, help, Kind::Counter);
  return find_or_add(family.counters, labels, [] { return std::make_unique<Counter>(); });
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& family = family_for(families_, name, help, Kind::Gauge);
  return find_or_add(family.gauges, labels, [] { return std::make_unique<Gauge>(); });
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, std::vector<double> upper_bounds,
                               const Labels& labels) {
  std::lock_guard lock(mu_);
  auto& family = family_for(families_, name, help, Kind::Histogram);
  return find_or_add(family.histograms, labels, [&] { return std::make_unique<Histogram>(std::move(upper_bounds)); });
}

std::string Registry::render() const {
  std::lock_guard lock(mu_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escape_help(family->help) + "\n";
    out += "# TYPE " + name + " " + std::string(kind_name(family->kind)) + "\n";
    switch (family->kind) {
      case Kind::Counter:
        for (const auto& [labels, c] : family->counters)
          out += name + render_labels(labels) + " " + format_value(c->value()) + "\n";
        break;
      case Kind::Gauge:
        for (const auto& [labels, g] : family->gauges)
          out += name + render_labels(labels) + " " + format_value(g->value()) + "\n";
        break;
      case Kind::Histogram:
        for (const auto& [labels, h] : family->histograms) {
          const auto snap = h->snapshot();
          for (std::size_t i = 0; i < snap.cumulative.size(); ++i) {
            const std::string le = i < snap.bounds.size() ? format_value(snap.bounds[i]) : "+Inf";
            out += name + "_bucket" + render_labels(labels, "le", le) + " " + format_value(snap.cumulative[i]) + "\n";
          }
          out += name + "_sum" + render_labels(labels) + " " + format_value(snap.sum) + "\n";
          out += name + "_count" + render_labels(labels) + " " + format_value(snap.count) + "\n";
        }
        break;
    }
  }
  return out;
}

std::vector<double> default_latency_buckets() { return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}; }

}  // namespace invite::common
