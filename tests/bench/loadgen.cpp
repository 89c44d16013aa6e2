// invite-loadgen: an open-loop HTTP/1.1 load generator for the benchmark (tests/bench).
//
// Request i is due at start + i / rate whether or not earlier requests have returned, and its latency is measured
// from that due time. A server that falls behind therefore shows its queueing in the figures, instead of silently
// lowering the offered rate as a closed-loop tool (wrk) does ("coordinated omission"). Requests go out over a fixed
// pool of keep-alive connections, one outstanding request per connection (no pipelining); a request that finds
// every connection busy waits in a queue, and that wait counts as latency.
//
// The body may contain "{n}", replaced by the request's sequence number, so that every request can invite fresh
// e-mails. Prints one JSON object with the achieved rate, status counts and latency percentiles.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include "invite/common/files.hpp"
#include "invite/runtime/cli.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

struct Settings {
  std::string host = "127.0.0.1";
  std::string port;
  std::string target = "/";
  std::string method = "GET";
  std::string host_header;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // with "{n}" placeholders
  double rate = 100;
  std::chrono::milliseconds duration{10000};
  std::chrono::milliseconds drain{10000};  // how long to wait for outstanding answers after the last send
  int connections = 32;
};

struct Outcome {
  std::vector<double> latencies_ms;  // of answered requests
  std::map<int, std::int64_t> statuses;
  std::int64_t transport_errors = 0;
  std::int64_t unanswered = 0;  // still queued or in flight when the drain time ran out
  std::int64_t sent = 0;
  double max_queue_ms = 0;  // longest a due request waited for a free connection
};

std::string with_sequence(const std::string& text, std::int64_t n) {
  std::string out;
  out.reserve(text.size() + 16);
  std::size_t from = 0;
  for (std::size_t at; (at = text.find("{n}", from)) != std::string::npos; from = at + 3) {
    out.append(text, from, at - from);
    out += std::to_string(n);
  }
  out.append(text, from);
  return out;
}

class Generator;

// One keep-alive connection; reconnects after a failure. Owns only transport.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::io_context& ioc, Generator& generator) : stream_(ioc), generator_(generator) {}
  bool idle() const { return idle_; }
  void send(std::int64_t sequence, Clock::time_point due);

 private:
  void write();
  void finish(int status);

  beast::tcp_stream stream_;
  Generator& generator_;
  beast::flat_buffer buffer_;
  bhttp::request<bhttp::string_body> request_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  Clock::time_point due_;
  bool connected_ = false;
  bool idle_ = true;
};

class Generator {
 public:
  Generator(asio::io_context& ioc, Settings settings) : ioc_(ioc), settings_(std::move(settings)), timer_(ioc) {}

  Outcome run() {
    tcp::resolver resolver(ioc_);
    endpoints_ = resolver.resolve(settings_.host, settings_.port);
    for (int i = 0; i < settings_.connections; ++i) pool_.push_back(std::make_shared<Connection>(ioc_, *this));
    start_ = Clock::now();
    end_ = start_ + settings_.duration;
    schedule_next();
    ioc_.run();
    outcome_.unanswered += static_cast<std::int64_t>(queue_.size()) + in_flight_;
    return std::move(outcome_);
  }

  const Settings& settings() const { return settings_; }
  const tcp::resolver::results_type& endpoints() const { return endpoints_; }

  void answered(Clock::time_point due, int status) {
    --in_flight_;
    outcome_.latencies_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - due).count());
    ++outcome_.statuses[status];
    dispatch();
  }

  // A transport failure loses its request: it counts as an error, not as a latency.
  void failed() {
    --in_flight_;
    ++outcome_.transport_errors;
    dispatch();
  }

 private:
  void schedule_next() {
    const auto due = start_ + std::chrono::duration_cast<Clock::duration>(
                                  std::chrono::duration<double>(static_cast<double>(next_) / settings_.rate));
    if (due >= end_) {
      // Nothing more to send: give outstanding requests the drain time, then stop whatever is left.
      timer_.expires_after(settings_.drain);
      timer_.async_wait([this](error_code) { ioc_.stop(); });
      sending_done_ = true;
      stop_if_done();
      return;
    }
    timer_.expires_at(due);
    timer_.async_wait([this, due](error_code ec) {
      if (ec) return;
      // A timer may fire late under load; every request due by now goes out now, each keeping its own due time.
      const auto now = Clock::now();
      auto at = due;
      while (at <= now && at < end_) {
        queue_.push_back({next_++, at});
        at = start_ + std::chrono::duration_cast<Clock::duration>(
                          std::chrono::duration<double>(static_cast<double>(next_) / settings_.rate));
      }
      dispatch();
      schedule_next();
    });
  }

  void dispatch() {
    for (auto& connection : pool_) {
      if (queue_.empty()) break;
      if (!connection->idle()) continue;
      const auto [sequence, due] = queue_.front();
      queue_.pop_front();
      outcome_.max_queue_ms =
          std::max(outcome_.max_queue_ms, std::chrono::duration<double, std::milli>(Clock::now() - due).count());
      ++in_flight_;
      ++outcome_.sent;
      connection->send(sequence, due);
    }
    stop_if_done();
  }

  void stop_if_done() {
    if (sending_done_ && queue_.empty() && in_flight_ == 0) ioc_.stop();
  }

  asio::io_context& ioc_;
  Settings settings_;
  asio::steady_timer timer_;
  tcp::resolver::results_type endpoints_;
  std::vector<std::shared_ptr<Connection>> pool_;
  std::deque<std::pair<std::int64_t, Clock::time_point>> queue_;
  Clock::time_point start_, end_;
  std::int64_t next_ = 0;
  std::int64_t in_flight_ = 0;
  bool sending_done_ = false;
  Outcome outcome_;
};

void Connection::send(std::int64_t sequence, Clock::time_point due) {
  idle_ = false;
  due_ = due;
  const auto& s = generator_.settings();
  request_ = {};
  request_.version(11);
  request_.method_string(s.method);
  request_.target(s.target);
  request_.set(bhttp::field::host, s.host_header);
  for (const auto& [name, value] : s.headers) request_.insert(name, value);
  request_.body() = with_sequence(s.body, sequence);
  request_.prepare_payload();
  request_.keep_alive(true);
  if (connected_) return write();
  stream_.expires_after(std::chrono::seconds(10));
  stream_.async_connect(generator_.endpoints(), [self = shared_from_this()](error_code ec, const tcp::endpoint&) {
    if (ec) return self->finish(-1);
    self->stream_.socket().set_option(tcp::no_delay(true));
    self->connected_ = true;
    self->write();
  });
}

void Connection::write() {
  stream_.expires_after(std::chrono::seconds(60));
  bhttp::async_write(stream_, request_, [self = shared_from_this()](error_code ec, std::size_t) {
    if (ec) return self->finish(-1);
    self->response_.emplace();
    bhttp::async_read(self->stream_, self->buffer_, *self->response_, [self](error_code rec, std::size_t) {
      if (rec) return self->finish(-1);
      if (!self->response_->keep_alive()) {
        error_code ignored;
        self->stream_.socket().close(ignored);
        self->connected_ = false;
      }
      self->finish(self->response_->result_int());
    });
  });
}

void Connection::finish(int status) {
  idle_ = true;
  if (status < 0) {
    error_code ignored;
    stream_.socket().close(ignored);
    connected_ = false;
    buffer_.clear();
    return generator_.failed();
  }
  generator_.answered(due_, status);
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  Settings s;
  std::string url, host_header, body_file;
  std::vector<std::string> headers;
  std::int64_t rate = 0, connections = 0;
  invite::runtime::Cli cli(
      "invite-loadgen",
      "Open-loop HTTP/1.1 load: request i is due at start + i/rate whatever earlier ones did; latency counts from the "
      "due time. Prints a JSON object.",
      "LOADGEN_");
  cli.text("url", url, "", "http://host:port/path (required)", true);
  cli.text("method", s.method, "GET", "request method");
  cli.text("host-header", host_header, "", "Host header (default: host:port of --url)");
  cli.repeatable("header", headers, "extra header 'Name: value'");
  cli.text("body-file", body_file, "", "file holding the body; \"{n}\" in it becomes the request's sequence number");
  cli.integer("rate", rate, "100", 1, 1000000000, "requests per second");
  cli.duration("duration", s.duration, "10s", "how long to send");
  cli.duration("drain", s.drain, "10s", "how long to wait for outstanding answers after the last send");
  cli.integer("connections", connections, "32", 1, 1000000, "keep-alive connections (one request outstanding on each)");
  if (auto exit_code = cli.parse(argc, argv)) return *exit_code;
  if (auto exit_code = cli.check_required()) return *exit_code;
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    std::cerr << "--url must start with http://\n";
    return 2;
  }
  const auto slash = url.find('/', kScheme.size());
  const std::string authority = url.substr(kScheme.size(), slash - kScheme.size());
  s.target = slash == std::string::npos ? "/" : url.substr(slash);
  const auto colon = authority.rfind(':');
  s.host = colon == std::string::npos ? authority : authority.substr(0, colon);
  s.port = colon == std::string::npos ? "80" : authority.substr(colon + 1);
  s.host_header = cli.given("host-header") ? host_header : authority;
  for (const auto& header : headers) {
    const auto separator = header.find(':');
    if (separator == std::string::npos) {
      std::cerr << "--header must be 'Name: value': " << header << "\n";
      return 2;
    }
    const auto value_from = header.find_first_not_of(' ', separator + 1);
    s.headers.emplace_back(header.substr(0, separator),
                           value_from == std::string::npos ? "" : header.substr(value_from));
  }
  if (cli.given("body-file")) {
    auto body = invite::common::read_file(body_file);
    if (!body) {
      std::cerr << body.error().message << "\n";
      return 2;
    }
    s.body = std::move(*body);
  }
  s.rate = static_cast<double>(rate);
  s.connections = static_cast<int>(connections);

  asio::io_context ioc(1);
  Generator generator(ioc, s);
  Outcome outcome;
  try {
    outcome = generator.run();
  } catch (const boost::system::system_error& e) {
    std::cerr << "invite-loadgen: " << e.what() << "\n";
    return 1;
  }
  auto& latencies = outcome.latencies_ms;
  std::sort(latencies.begin(), latencies.end());
  nlohmann::ordered_json out;
  out["offeredRate"] = s.rate;
  out["durationSeconds"] = static_cast<double>(s.duration.count()) / 1000.0;
  out["sent"] = outcome.sent;
  out["answered"] = static_cast<std::int64_t>(latencies.size());
  out["achievedRate"] = static_cast<double>(latencies.size()) / (static_cast<double>(s.duration.count()) / 1000.0);
  nlohmann::ordered_json statuses = nlohmann::ordered_json::object();
  for (const auto& [status, count] : outcome.statuses) statuses[std::to_string(status)] = count;
  out["statuses"] = statuses;
  out["transportErrors"] = outcome.transport_errors;
  out["unanswered"] = outcome.unanswered;
  out["maxQueueMs"] = outcome.max_queue_ms;
  out["latencyMs"] = {{"p50", percentile(latencies, 50)},
                      {"p90", percentile(latencies, 90)},
                      {"p99", percentile(latencies, 99)},
                      {"p99.9", percentile(latencies, 99.9)},
                      {"max", latencies.empty() ? 0.0 : latencies.back()}};
  std::cout << out.dump() << "\n";
  return outcome.transport_errors == 0 && outcome.unanswered == 0 ? 0 : 1;
}
