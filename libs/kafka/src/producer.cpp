#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <shared_mutex>
#include <thread>

#include "internal.hpp"
#include "invite/common/log.hpp"
#include "invite/kafka/client.hpp"

namespace invite::kafka {
namespace {

using Callback = std::function<void(const DeliveryReport&)>;

class ProducerImpl final : public Producer, private RdKafka::DeliveryReportCb {
 public:
  explicit ProducerImpl(std::string client_id) : client_id_(client_id), events_(std::move(client_id)) {}

  common::Result<> init(const std::string& brokers, const Properties& extra, std::chrono::milliseconds delivery_timeout,
                        const std::string& client_id) {
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
    if (!made) return made.error();
    conf_ = std::move(*made);
    std::string error;
    if (conf_->set("dr_cb", static_cast<RdKafka::DeliveryReportCb*>(this), error) != RdKafka::Conf::CONF_OK) {
      return common::fail("kafka delivery callback: " + error);
    }
    producer_.reset(RdKafka::Producer::create(conf_.get(), error));
    if (!producer_) return common::fail("kafka producer: " + error);
    poller_ = std::thread([this] { poll_loop(); });
    health_ = std::thread([this] { health_loop(); });
    return {};
  }

  ~ProducerImpl() override {
    if (!producer_) return;
    flush(std::chrono::seconds(10));
    // Whatever is still undelivered fails now, so that every callback still runs exactly once.
    current()->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
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
    RdKafka::ErrorCode err = RdKafka::ERR_NO_ERROR;
    {
      // Shared: producers do not wait for each other, only for a swap of the librdkafka producer.
      std::shared_lock lock(handle_mutex_);
      err = producer_->produce(record.topic, partition, RdKafka::Producer::RK_MSG_COPY, record.value.data(),
                               record.value.size(), key, record.key.size(), 0, headers.get(), callback.get());
    }
    if (err != RdKafka::ERR_NO_ERROR) {
      // librdkafka took ownership of neither the headers nor the opaque; report inline (queue full, unknown
      // partition or topic with known metadata, fatal idempotence error until the producer is replaced, ...).
      // Outside the lock: a callback that produces again must not meet a swap waiting behind it.
      DeliveryReport report;
      report.ok = false;
      report.error = RdKafka::err2str(err);
      report.queue_full = err == RdKafka::ERR__QUEUE_FULL;
      report.partition = partition;
      finish(*callback, report);
      return;
    }
    static_cast<void>(headers.release());   // owned by the message now
    static_cast<void>(callback.release());  // freed in dr_cb
  }

  std::size_t queued() const override { return static_cast<std::size_t>(std::max<std::int64_t>(pending_.load(), 0)); }

  bool connected() const override { return connected_.load() && !recovering(); }

  int flush(std::chrono::milliseconds timeout) override {
    // librdkafka's own flush() serves delivery callbacks on the calling thread; we promise they run on the
    // producer's thread, so wait for the poll thread instead (linger.ms is short enough not to matter).
    return wait_for_pending(timeout);
  }

  std::optional<std::int32_t> partition_count(const std::string& topic, std::chrono::milliseconds timeout) override {
    return detail::partition_count(*current(), topic, timeout);
  }

  std::uint64_t fatal_errors() const override { return fatal_errors_.load(); }

  bool recovering() const override {
    if (recovering_.load()) return true;
    // The health thread notices a fatal error within a second or two; readiness should not wait for it.
    std::string reason;
    return current()->fatal_error(reason) != RdKafka::ERR_NO_ERROR;
  }

  void inject_fatal_error_for_test(const std::string& reason) override {
    {
      std::shared_lock lock(handle_mutex_);
      rd_kafka_test_fatal_error(producer_->c_ptr(), RD_KAFKA_RESP_ERR_OUT_OF_ORDER_SEQUENCE_NUMBER, reason.c_str());
    }
    {
      std::lock_guard lock(mutex_);
      check_now_ = true;
    }
    wake_.notify_all();
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

  std::shared_ptr<RdKafka::Producer> current() const {
    std::shared_lock lock(handle_mutex_);
    return producer_;
  }

  void poll_loop() {
    while (true) {
      {
        std::lock_guard lock(mutex_);
        if (stopping_) return;
      }
      // Not under the lock: a swap must not wait for a poll (the replaced producer lives on in this copy).
      current()->poll(100);
    }
  }

  // Connectivity: a broker-only metadata request (no topics) every second with a 1 s timeout. It answers only
  // when some broker is reachable and speaks Kafka, which is what /readyz wants to know; librdkafka's error
  // events cannot serve alone because nothing signals the way back up. Its own thread keeps delivery callbacks
  // from waiting behind a slow metadata request.
  // The same thread replaces a producer that had a fatal error (recover()).
  void health_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      check_now_ = false;
      lock.unlock();
      auto handle = current();
      std::string reason;
      if (const RdKafka::ErrorCode fatal = handle->fatal_error(reason); fatal != RdKafka::ERR_NO_ERROR) {
        recover(std::move(handle), fatal, reason);
        lock.lock();
        continue;  // the new producer's first metadata request without a second's pause
      }
      RdKafka::Metadata* raw = nullptr;
      const bool ok = handle->metadata(false, nullptr, &raw, 1000) == RdKafka::ERR_NO_ERROR;
      std::unique_ptr<RdKafka::Metadata> metadata(raw);
      connected_ = ok && metadata && !metadata->brokers()->empty();
      if (connected_ && recovering_.exchange(false)) {
        common::log_info("kafka producer recovered from its fatal error", {{"client", client_id_}});
      }
      lock.lock();
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_ || check_now_; });
    }
  }

  // A librdkafka producer with a fatal error refuses every record from then on, so a service that kept it would
  // be up but unable to publish. Replacing it is safe for our callers: they treat a failed delivery as "publish
  // again" (the gateway answers 503 and the client retries, the outbox relays keep the row unsent), and every
  // record we fail here gets its callback, once, like any failed delivery.
  void recover(std::shared_ptr<RdKafka::Producer> failed, RdKafka::ErrorCode error, const std::string& reason) {
    recovering_ = true;
    connected_ = false;
    const std::uint64_t count = fatal_errors_.fetch_add(1) + 1;
    common::log_error("kafka producer fatal error; replacing the producer",
                      {{"client", client_id_},
                       {"error", RdKafka::err2str(error)},
                       {"reason", reason},
                       {"fatalErrors", static_cast<std::int64_t>(count)},
                       {"undelivered", static_cast<std::int64_t>(queued())}});
    // Its queued records would only fail one by one at message.timeout.ms, the ones in flight are as good as lost.
    failed->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    std::shared_ptr<RdKafka::Producer> fresh;
    while (!fresh) {
      std::string message;
      fresh.reset(RdKafka::Producer::create(conf_.get(), message));
      if (fresh) break;
      // Until then the failed producer stays in place: it refuses records at once, and the poll thread still
      // serves its delivery reports.
      common::log_error("cannot create a new kafka producer; retrying in a second",
                        {{"client", client_id_}, {"error", message}});
      std::unique_lock lock(mutex_);
      if (wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; })) return;
    }
    {
      std::unique_lock lock(handle_mutex_);
      producer_ = fresh;
    }
    // The purged records' reports are queued on the old producer; serve them before it goes, so no callback is
    // lost with it. Bounded: a report librdkafka never produces must not stop the recovery.
    const auto deadline = std::chrono::steady_clock::now() + kDrainTimeout;
    while (failed->outq_len() > 0 && std::chrono::steady_clock::now() < deadline) failed->poll(100);
    if (const int left = failed->outq_len(); left > 0) {
      common::log_error("replaced kafka producer still held records or events",
                        {{"client", client_id_}, {"left", std::int64_t{left}}});
    }
    common::log_info("kafka producer replaced; waiting for the cluster", {{"client", client_id_}});
  }

  static constexpr std::chrono::seconds kDrainTimeout{10};

  std::string client_id_;
  detail::EventLogger events_;
  std::unique_ptr<RdKafka::Conf> conf_;  // kept to create a replacement producer
  // Replaced only after a fatal error, under handle_mutex_ held exclusively; everything else holds it shared or
  // keeps its own copy of the pointer.
  std::shared_ptr<RdKafka::Producer> producer_;
  mutable std::shared_mutex handle_mutex_;
  std::atomic<std::int64_t> pending_{0};
  std::atomic<bool> connected_{false};
  std::atomic<bool> recovering_{false};
  std::atomic<std::uint64_t> fatal_errors_{0};
  std::mutex mutex_;
  std::condition_variable drained_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool check_now_ = false;  // an injected fatal error: the health thread looks at once
  std::thread poller_;
  std::thread health_;
};

}  // namespace

common::Result<std::unique_ptr<Producer>> Producer::create(const std::string& brokers, const Properties& extra,
                                                           std::chrono::milliseconds delivery_timeout,
                                                           const std::string& client_id) {
  auto producer = std::make_unique<ProducerImpl>(client_id);
  if (auto started = producer->init(brokers, extra, delivery_timeout, client_id); !started) return started.error();
  return std::unique_ptr<Producer>(std::move(producer));
}

}  // namespace invite::kafka
