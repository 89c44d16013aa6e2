// The mailer's loop with fake Kafka clients and a scripted sender, and its real SQLite store.
#include "mailer.hpp"

#include <gtest/gtest.h>

#include <deque>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "invite/common/ids.hpp"
#include "support/temp_dir.hpp"

namespace invite::mailer {
namespace {

using namespace std::chrono_literals;
using invite::testing::TempDir;

class FakeConsumer final : public kafka::Consumer {
 public:
  common::Result<> assign(const std::vector<kafka::Assignment>& partitions) override {
    std::lock_guard lock(mu_);
    assigned = partitions;
    return {};
  }
  kafka::PollResult poll(std::chrono::milliseconds timeout) override {
    {
      std::lock_guard lock(mu_);
      if (!records_.empty()) {
        auto record = std::move(records_.front());
        records_.pop_front();
        return record;
      }
    }
    std::this_thread::sleep_for(std::min(timeout, std::chrono::milliseconds(2)));
    return kafka::PollTimeout{};
  }
  void commit(const std::string& topic, std::int32_t partition, std::int64_t next_offset) override {
    std::lock_guard lock(mu_);
    EXPECT_EQ(topic, "invite.emails.v1");
    committed[partition] = next_offset;
  }
  std::optional<std::pair<std::int64_t, std::int64_t>> watermarks(const std::string&, std::int32_t,
                                                                  std::chrono::milliseconds) override {
    return std::nullopt;
  }
  std::optional<std::int32_t> partition_count(const std::string&, std::chrono::milliseconds) override { return 1; }
  void close() override {}

  void add(kafka::InRecord record) {
    std::lock_guard lock(mu_);
    records_.push_back(std::move(record));
  }
  std::optional<std::int64_t> committed_offset(std::int32_t partition) {
    std::lock_guard lock(mu_);
    auto it = committed.find(partition);
    return it == committed.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
  }

  std::vector<kafka::Assignment> assigned;
  std::map<std::int32_t, std::int64_t> committed;

 private:
  std::mutex mu_;
  std::deque<kafka::PollResult> records_;
};

// Acknowledges every record at once.
class FakeProducer final : public kafka::Producer {
 public:
  void produce(kafka::OutRecord record, std::function<void(const kafka::DeliveryReport&)> on_delivery) override {
    {
      std::lock_guard lock(mu_);
      produced_.push_back(record);
    }
    kafka::DeliveryReport report;
    report.ok = true;
    on_delivery(report);
  }
  std::size_t queued() const override { return 0; }
  bool connected() const override { return true; }
  int flush(std::chrono::milliseconds) override { return 0; }
  std::optional<std::int32_t> partition_count(const std::string&, std::chrono::milliseconds) override { return 1; }

  std::vector<kafka::OutRecord> produced() {
    std::lock_guard lock(mu_);
    return produced_;
  }

 private:
  std::mutex mu_;
  std::vector<kafka::OutRecord> produced_;
};

// Answers with the scripted results in order, then delivers.
class ScriptedSender final : public mail::Sender {
 public:
  explicit ScriptedSender(std::deque<mail::SendResult> script = {}) : script_(std::move(script)) {}
  mail::SendResult send(const mail::Envelope& envelope, std::string_view message) override {
    std::lock_guard lock(mu_);
    sent_.push_back({envelope, std::string(message)});
    if (script_.empty()) return {mail::SendOutcome::Delivered, 250, "250 ok", "smtp://fake"};
    auto result = script_.front();
    script_.pop_front();
    return result;
  }
  std::string describe() const override { return "scripted"; }

  std::vector<std::pair<mail::Envelope, std::string>> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

 private:
  std::mutex mu_;
  std::deque<mail::SendResult> script_;
  std::vector<std::pair<mail::Envelope, std::string>> sent_;
};

mail::TemplateCatalogue templates() {
  auto built = mail::TemplateCatalogue::build(
      "<a href=\"{{confirmationLink}}\">{{button}}</a>", "{{button}}: {{confirmationLink}}",
      {{"en-US", {{"subject", "Join {{portalName}} DocSpace"}, {"button", "Accept"}}},
       {"de-DE", {{"subject", "Treten Sie {{portalName}} DocSpace bei"}, {"button", "Annehmen"}}}});
  return std::move(*built);
}

events::EmailJob email_job(const std::string& recipient, const std::string& culture = "en-US") {
  events::EmailJob job;
  job.event_id = common::new_uuid();
  job.occurred_at_ms = common::now_ms();
  job.request_id = common::new_uuid();
  job.portal = "docspace.example";
  job.portal_name = "Example";
  job.recipient_email = recipient;
  job.recipient_user_id = common::new_uuid();
  job.culture = culture;
  job.inviter_id = common::new_uuid();
  job.subject = "Join Example DocSpace";
  job.confirmation_link = "https://docspace.example/confirm?x=1";
  job.expires_at_ms = common::now_ms() + 7LL * 24 * 3600 * 1000;
  return job;
}

const std::string kTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

kafka::InRecord record_of(const events::EmailJob& job, std::int64_t offset, std::int32_t partition = 0) {
  kafka::InRecord record;
  record.topic = "invite.emails.v1";
  record.partition = partition;
  record.offset = offset;
  record.key = job.portal;
  record.value = events::encode_email_job(job);
  record.headers = {{"correlation-id", job.request_id}, {"traceparent", kTraceparent}};
  return record;
}

class MailerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::MailerStore::open(dir_.path() / "mailer.sqlite");
    store_ = std::move(*opened);
  }

  void TearDown() override { stop(); }

  void start(std::deque<mail::SendResult> script = {}, MailerSettings settings = {}) {
    sender_ = std::make_unique<ScriptedSender>(std::move(script));
    settings.from_address = "no-reply@docspace.example";
    if (settings.retry.initial == mail::RetryPolicy{}.initial) settings.retry = {20ms, 40ms, 5};
    MailerEnvironment env;
    env.consumer = &consumer_;
    env.producer = &producer_;
    env.store = store_.get();
    env.sender = sender_.get();
    env.templates = &templates_;
    env.metrics = &metrics_;
    env.partitions = {0, 1};
    env.settings = settings;
    env.random = [] { return 0.0; };
    mailer_ = std::make_unique<Mailer>(std::move(env));
    ASSERT_TRUE(mailer_->start());
    thread_ = std::thread([this] { ran_ = mailer_->run(stop_); });
  }

  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(ran_) << ran_.error().message;
  }

  // The status events published so far, decoded.
  std::vector<events::EmailStatus> statuses() {
    std::vector<events::EmailStatus> out;
    for (const auto& record : producer_.produced()) {
      EXPECT_EQ(record.topic, "invite.email-status.v1");
      out.push_back(events::decode_email_status(record.value).value());
    }
    return out;
  }

  template <typename Predicate>
  bool eventually(Predicate predicate, std::chrono::milliseconds within = 10s) {
    const auto deadline = std::chrono::steady_clock::now() + within;
    while (!predicate()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(5ms);
    }
    return true;
  }

  double counter(const std::string& line) {
    const auto text = metrics_.render();
    const auto at = text.find("\n" + line + " ");  // a sample line, not its # HELP
    return at == std::string::npos ? -1 : std::stod(text.substr(at + line.size() + 2));
  }

  TempDir dir_;
  std::unique_ptr<store::MailerStore> store_;
  FakeConsumer consumer_;
  FakeProducer producer_;
  std::unique_ptr<ScriptedSender> sender_;
  mail::TemplateCatalogue templates_ = templates();
  common::Registry metrics_;
  std::unique_ptr<Mailer> mailer_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  common::Result<> ran_;
};

TEST_F(MailerTest, AssignsItsPartitionsFromTheGroupsOffsets) {
  start();
  ASSERT_EQ(consumer_.assigned.size(), 2u);
  EXPECT_EQ(consumer_.assigned[1].partition, 1);
  EXPECT_EQ(consumer_.assigned[1].offset, kafka::kOffsetStored);
  EXPECT_TRUE(mailer_->ready());
}

TEST_F(MailerTest, SendsAJobAnnouncesItAndCommitsPastIt) {
  const auto job = email_job("anna@example.com", "de-DE");
  consumer_.add(record_of(job, 7));
  start();
  ASSERT_TRUE(eventually([&] { return statuses().size() == 1; }));
  const auto sent = sender_->sent();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].first.to, "anna@example.com");
  EXPECT_EQ(sent[0].first.from, "no-reply@docspace.example");
  EXPECT_NE(sent[0].second.find("Subject: Treten Sie Example DocSpace bei"), std::string::npos);

  const auto status = statuses()[0];
  EXPECT_EQ(status.status, events::DeliveryStatus::Sent);
  EXPECT_EQ(status.job_event_id, job.event_id);
  EXPECT_EQ(status.request_id, job.request_id);
  EXPECT_EQ(status.recipient_email, "anna@example.com");
  EXPECT_EQ(status.attempt, 1);
  EXPECT_EQ(status.culture, "de-DE");
  EXPECT_EQ(status.smtp_code, 250);
  EXPECT_EQ(status.message_id, "<" + job.event_id + "@docspace.example>");
  const auto record = producer_.produced()[0];
  EXPECT_EQ(record.key, "docspace.example");
  EXPECT_EQ(record.headers, (kafka::Headers{{"correlation-id", job.request_id}, {"traceparent", kTraceparent}}));
  ASSERT_TRUE(eventually([&] { return consumer_.committed_offset(0) == 8; }));
  EXPECT_EQ(store_->state(job.event_id), store::JobState::Sent);
}

TEST_F(MailerTest, AJobSeenTwiceIsSentOnce) {
  const auto job = email_job("anna@example.com");
  consumer_.add(record_of(job, 0));
  consumer_.add(record_of(job, 1));     // a duplicated record
  consumer_.add(record_of(job, 0, 1));  // and one on another partition
  start();
  ASSERT_TRUE(eventually([&] { return counter("invite_mailer_jobs_total{result=\"duplicate\"}") == 2; }));
  ASSERT_TRUE(eventually([&] { return statuses().size() == 1; }));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(sender_->sent().size(), 1u);
  EXPECT_EQ(statuses().size(), 1u);
  ASSERT_TRUE(eventually([&] { return consumer_.committed_offset(0) == 2 && consumer_.committed_offset(1) == 1; }));
}

TEST_F(MailerTest, TransientFailureIsRetriedWithAnnouncementsThenSent) {
  consumer_.add(record_of(email_job("anna@example.com"), 0));
  start({{mail::SendOutcome::Transient, 421, "421 4.7.0 try again later", ""}});
  ASSERT_TRUE(eventually([&] { return statuses().size() == 2; }));
  const auto all = statuses();
  EXPECT_EQ(all[0].status, events::DeliveryStatus::Retrying);
  EXPECT_EQ(all[0].attempt, 1);
  EXPECT_EQ(all[0].smtp_code, 421);
  EXPECT_EQ(all[0].reason, "421 4.7.0 try again later");
  ASSERT_TRUE(all[0].next_attempt_at_ms);
  // random() is 0: half of the 20 ms initial pause.
  EXPECT_EQ(*all[0].next_attempt_at_ms - all[0].occurred_at_ms, 10);
  EXPECT_EQ(all[1].status, events::DeliveryStatus::Sent);
  EXPECT_EQ(all[1].attempt, 2);
  EXPECT_NE(all[0].event_id, all[1].event_id);
  EXPECT_EQ(sender_->sent().size(), 2u);
  EXPECT_EQ(sender_->sent()[0].second.substr(sender_->sent()[0].second.find("Message-ID")),
            sender_->sent()[1].second.substr(sender_->sent()[1].second.find("Message-ID")))
      << "a retry is the same message";
}

TEST_F(MailerTest, PermanentFailureIsAnnouncedWithItsReasonAndNotRetried) {
  const auto job = email_job("nobody@example.com");
  consumer_.add(record_of(job, 0));
  start({{mail::SendOutcome::Permanent, 550, "550 5.1.1 no such user", ""}});
  ASSERT_TRUE(eventually([&] { return statuses().size() == 1; }));
  std::this_thread::sleep_for(150ms);
  const auto all = statuses();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].status, events::DeliveryStatus::Failed);
  EXPECT_EQ(all[0].smtp_code, 550);
  EXPECT_EQ(all[0].reason, "550 5.1.1 no such user");
  EXPECT_EQ(sender_->sent().size(), 1u);
  EXPECT_EQ(store_->state(job.event_id), store::JobState::Failed);
  ASSERT_TRUE(eventually([&] { return consumer_.committed_offset(0) == 1; }));
}

TEST_F(MailerTest, GivesUpAfterTheLastAttempt) {
  consumer_.add(record_of(email_job("anna@example.com"), 0));
  MailerSettings settings;
  settings.retry = {5ms, 10ms, 3};
  const mail::SendResult down{mail::SendOutcome::Transient, std::nullopt, "Couldn't connect to server", ""};
  start({down, down, down}, settings);
  ASSERT_TRUE(eventually([&] { return statuses().size() == 3; }));
  const auto all = statuses();
  EXPECT_EQ(all[0].status, events::DeliveryStatus::Retrying);
  EXPECT_EQ(all[1].status, events::DeliveryStatus::Retrying);
  EXPECT_EQ(all[2].status, events::DeliveryStatus::Failed);
  EXPECT_EQ(all[2].attempt, 3);
  EXPECT_EQ(all[2].reason, "gave up after 3 attempts: Couldn't connect to server");
  EXPECT_EQ(all[2].smtp_code, std::nullopt);
}

TEST_F(MailerTest, NoRetryPastTheLinksExpiry) {
  auto job = email_job("anna@example.com");
  job.expires_at_ms = common::now_ms() + 1;  // expires before any retry
  consumer_.add(record_of(job, 0));
  start({{mail::SendOutcome::Transient, 451, "451 busy", ""}});
  ASSERT_TRUE(eventually([&] { return statuses().size() == 1; }));
  EXPECT_EQ(statuses()[0].status, events::DeliveryStatus::Failed);
  EXPECT_EQ(statuses()[0].reason, "the confirmation link expires before the next attempt: 451 busy");
}

TEST_F(MailerTest, APendingJobHoldsTheCommittedOffsetBack) {
  consumer_.add(record_of(email_job("slow@slow.example"), 0));
  consumer_.add(record_of(email_job("fast@fast.example"), 1));
  MailerSettings settings;
  settings.retry = {std::chrono::hours(1), std::chrono::hours(1), 5};
  start({{mail::SendOutcome::Transient, 421, "421 later", ""}}, settings);
  ASSERT_TRUE(eventually([&] { return statuses().size() == 2; }));
  ASSERT_TRUE(eventually([&] { return consumer_.committed_offset(0).has_value(); }));
  std::this_thread::sleep_for(1200ms);  // past another commit round
  EXPECT_EQ(consumer_.committed_offset(0), 0) << "the retrying job at offset 0 is not decided";
}

TEST_F(MailerTest, JobsItCannotUseAreSetAsideAndPassed) {
  auto bad = email_job("anna@example.com");
  bad.recipient_email = "not an e-mail";
  consumer_.add(record_of(bad, 0));
  kafka::InRecord garbage = record_of(email_job("x@example.com"), 1);
  garbage.value = "{not json";
  consumer_.add(garbage);
  consumer_.add(record_of(email_job("ok@example.com"), 2));
  start();
  ASSERT_TRUE(eventually([&] { return statuses().size() == 1; }));
  EXPECT_EQ(sender_->sent().size(), 1u);
  EXPECT_EQ(sender_->sent()[0].first.to, "ok@example.com");
  EXPECT_EQ(counter("invite_mailer_jobs_total{result=\"rejected\"}"), 2);
  ASSERT_TRUE(eventually([&] { return consumer_.committed_offset(0) == 3; }));
}

TEST_F(MailerTest, AThrottledDomainDoesNotHoldUpOthers) {
  for (int i = 0; i < 3; ++i) consumer_.add(record_of(email_job("a" + std::to_string(i) + "@busy.example"), i));
  consumer_.add(record_of(email_job("b@quiet.example"), 3));
  MailerSettings settings;
  settings.rate_per_domain = 10;  // one every 100 ms after the first
  settings.burst_per_domain = 1;
  start({}, settings);
  ASSERT_TRUE(eventually([&] { return statuses().size() == 4; }));  // recorded after each send
  const auto sent = sender_->sent();
  EXPECT_EQ(sent[0].first.to, "a0@busy.example");
  EXPECT_EQ(sent[1].first.to, "b@quiet.example");
  const auto times = statuses();
  ASSERT_EQ(times.size(), 4u);
  EXPECT_GE(times[3].occurred_at_ms - times[0].occurred_at_ms, 190) << "three to one domain take two intervals";
  EXPECT_GT(counter("invite_mailer_throttled_total"), 0);
}

TEST_F(MailerTest, AnUnusableLinkFailsTheJobForGood) {
  auto job = email_job("anna@example.com");
  job.confirmation_link = "javascript:alert(1)";
  consumer_.add(record_of(job, 0));
  start();
  ASSERT_TRUE(eventually([&] { return statuses().size() == 1; }));
  EXPECT_EQ(statuses()[0].status, events::DeliveryStatus::Failed);
  EXPECT_EQ(statuses()[0].reason, "confirmationLink: not an http(s) URL");
  EXPECT_TRUE(sender_->sent().empty());
}

}  // namespace
}  // namespace invite::mailer
