#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "internal.hpp"
#include "invite/kafka/client.hpp"

namespace invite::kafka {
namespace {

using Callback = std::function<void(const DeliveryReport&)>;

class ProducerImpl final : public Producer, private RdKafka::DeliveryReportCb {
 public:
  explicit ProducerImpl(std::string client_id) : events_(std::move(client_id)) {}

  std::optional<std::string> init(const std::string& brokers, const Properties& extra,
                                  std::chrono::milliseconds delivery_timeout, const std::string& client_id) {
    const Properties defaults = {
        {"bootstrap.servers", brokers},
        {"client.id", client_id},
        {"enable.idempotence", "true"},
        {"acks", "all"},
        // Java's default partitioner for keyed records, so that Java and librdkafka producers agree on placement.
        {"partitioner", "murmur2_random"},
        // Records here are on some request's critical path (a gateway waiting for its reply, a client waiting for
        // the gateway), so none may wait long to fill a batch. Not 0 either: then each record leaves in a request
        // of its own, the five requests in flight that idempotence allows fill up at a few thousand records a
        // second, and records queue behind them for tens of milliseconds. A fifth of a millisecond costs about
        // 1.2 ms per hop at idle (librdkafka wakes up on whole milliseconds) and halves p50 and p99 under load
        // (benchmark: docs/performance.md).
        {"linger.ms", "0.2"},
        {"socket.nagle.disable", "true"},
        // librdkafka backs off reconnecting up to 10 s; after a broker outage that is up to 10 s more of 503s and
        // 504s once the broker is back. One attempt a second per broker costs nothing (fault suite: broker-down).
        {"reconnect.backoff.max.ms", "1000"},
        {"message.timeout.ms", std::to_string(delivery_timeout.count())},
    };
    // The design relies on idempotence (retries never duplicate or reorder records); it is not negotiable.
    auto made = detail::make_conf(defaults, extra, {{"enable.idempotence", "true"}}, events_);
    if (auto* error = std::get_if<std::string>(&made)) return *error;
    const auto& conf = std::get<std::unique_ptr<RdKafka::Conf>>(made);
    std::string error;
    if (conf->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(this), error) != RdKafka::Conf::CONF_OK) {
      return "kafka delivery callback: " + error;
    }
    producer_.reset(RdKafka::Producer::create(conf.get(), error));
    if (!producer_) return "kafka producer: " + error;
    poller_ = std::thread([this] { poll_loop(); });
    health_ = std::thread([this] { health_loop(); });
    return std::nullopt;
  }

  ~ProducerImpl() override {
    if (!producer_) return;
    flush(std::chrono::seconds(10));
    // Whatever is still undelivered fails now, so that every callback still runs exactly once.
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    wait_for_pending(std::chrono::seconds(2));
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    poller_.join();
    health_.join();
    producer_.reset();
  }

  void produce(OutRecord record, Callback on_delivery) override {
    auto callback = std::make_unique<Callback>(std::move(on_delivery));
    std::unique_ptr<RdKafka::Headers> headers(RdKafka::Headers::create());
    for (const auto& [k, v] : record.headers) headers->add(k, v.data(), v.size());
    const std::int32_t partition = record.partition.value_or(RdKafka::Topic::PARTITION_UA);
    // An empty key is sent as a null key: murmur2_random then spreads such records randomly, as Java does.
    void* key = record.key.empty() ? nullptr : record.key.data();
    pending_.fetch_add(1);
    const RdKafka::ErrorCode err = producer_->produce(
        record.topic, partition, RdKafka::Producer::RK_MSG_COPY, record.value.data(), record.value.size(), key,
        record.key.size(), 0, headers.get(), callback.get());
    if (err != RdKafka::ERR_NO_ERROR) {
      // librdkafka took ownership of neither the headers nor the opaque; report inline (queue full, unknown
      // partition or topic with known metadata, fatal idempotence error, ...).
      DeliveryReport report;
      report.ok = false;
      report.error = RdKafka::err2str(err);
      report.queue_full = err == RdKafka::ERR__QUEUE_FULL;
      report.partition = partition;
      finish(*callback, report);
      return;
    }
    headers.release();   // owned by the message now
    callback.release();  // freed in dr_cb
  }

  std::size_t queued() const override { return static_cast<std::size_t>(std::max<std::int64_t>(pending_.load(), 0)); }

  bool connected() const override { return connected_.load() && !events_.fatal(); }

  int flush(std::chrono::milliseconds timeout) override {
    // librdkafka's own flush() serves delivery callbacks on the calling thread; we promise they run on the
    // producer's thread, so wait for the poll thread instead (linger.ms is short enough not to matter).
    return wait_for_pending(timeout);
  }

  std::optional<std::int32_t> partition_count(const std::string& topic, std::chrono::milliseconds timeout) override {
    return detail::partition_count(*producer_, topic, timeout);
  }

 private:
  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<Callback> callback(static_cast<Callback*>(message.msg_opaque()));
    DeliveryReport report;
    report.ok = message.err() == RdKafka::ERR_NO_ERROR;
    if (!report.ok) report.error = message.errstr();
    report.partition = message.partition();
    report.offset = message.offset();
    finish(*callback, report);
  }

  void finish(const Callback& callback, const DeliveryReport& report) {
    if (callback) callback(report);
    if (pending_.fetch_sub(1) == 1) {
      std::lock_guard lock(mutex_);
      drained_.notify_all();
    }
  }

  int wait_for_pending(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    drained_.wait_for(lock, timeout, [this] { return pending_.load() == 0; });
    return static_cast<int>(pending_.load());
  }

  void poll_loop() {
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      producer_->poll(100);
    }
  }

  // Connectivity: a broker-only metadata request (no topics) every second with a 1 s timeout. It answers only
  // when some broker is reachable and speaks Kafka, which is what /readyz wants to know; librdkafka's error
  // events cannot serve alone because nothing signals the way back up. Its own thread keeps delivery callbacks
  // from waiting behind a slow metadata request.
  void health_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      RdKafka::Metadata* raw = nullptr;
      const bool ok = producer_->metadata(false, nullptr, &raw, 1000) == RdKafka::ERR_NO_ERROR;
      std::unique_ptr<RdKafka::Metadata> metadata(raw);
      connected_ = ok && metadata && !metadata->brokers()->empty();
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }

  detail::EventLogger events_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<std::int64_t> pending_{0};
  std::atomic<bool> connected_{false};
  std::mutex mutex_;
  std::condition_variable drained_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread poller_;
  std::thread health_;
};

}  // namespace

std::variant<std::unique_ptr<Producer>, std::string> Producer::create(const std::string& brokers,
                                                                      const Properties& extra,
                                                                      std::chrono::milliseconds delivery_timeout,
                                                                      const std::string& client_id) {
  auto producer = std::make_unique<ProducerImpl>(client_id);
  if (auto error = producer->init(brokers, extra, delivery_timeout, client_id)) return *error;
  return std::unique_ptr<Producer>(std::move(producer));
}

}  // namespace invite::kafka
