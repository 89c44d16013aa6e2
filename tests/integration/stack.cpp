#include "stack.hpp"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <array>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <stdexcept>

#include "invite/auth/token.hpp"
#include "invite/common/files.hpp"
#include "invite/common/ids.hpp"
#include "invite/events/events.hpp"

namespace invite::testing {
namespace {

using namespace std::chrono_literals;

// localhost: no limits; seats.test: one paid seat; budget.test: two invitations a day; closed.test: members may
// not invite.
constexpr const char* kPortals = R"({"portals":[
  {"host":"localhost","displayName":"Local DocSpace","baseUrl":"http://localhost","defaultCulture":"en-US",
   "paidSeats":null,"allowInvitingMembers":true,"dailyInvitationBudget":null},
  {"host":"seats.test","displayName":"Seats","baseUrl":"https://seats.test","defaultCulture":"de-DE",
   "paidSeats":1,"allowInvitingMembers":true,"dailyInvitationBudget":null},
  {"host":"budget.test","displayName":"Budget","baseUrl":"https://budget.test","defaultCulture":"en-US",
   "paidSeats":null,"allowInvitingMembers":true,"dailyInvitationBudget":2},
  {"host":"closed.test","displayName":"Closed","baseUrl":"https://closed.test","defaultCulture":"en-US",
   "paidSeats":null,"allowInvitingMembers":false,"dailyInvitationBudget":null}]})";

// On a mock cluster the services get the client settings it needs (as in the devstack), then the test's own.
std::vector<std::string> client_args(bool mock, const std::vector<std::string>& extra) {
  std::vector<std::string> args;
  for (const auto& [key, value] : mock ? kafka::MockCluster::client_properties() : kafka::Properties{}) {
    args.insert(args.end(), {"--kafka-config", key + "=" + value});
  }
  for (const auto& entry : extra) args.insert(args.end(), {"--kafka-config", entry});
  return args;
}

void require(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

}  // namespace

Stack::Stack(StackOptions options) : options_(std::move(options)) {
  dir_ = std::filesystem::temp_directory_path() / ("invite-it-" + common::random_hex(6));
  std::filesystem::create_directories(dir_);
  start_cluster();
  token_secret_ = common::random_hex(32);
  require(common::write_file_atomic(dir_ / "token.secret", token_secret_, 0600).has_value(), "token secret");
  require(common::write_file_atomic(dir_ / "link.secret", common::random_hex(32), 0600).has_value(), "link secret");
  require(common::write_file_atomic(dir_ / "portals.json", kPortals).has_value(), "portals");
  start_worker();
  start_gateway();
}

void Stack::start_cluster() {
  if (real_kafka_requested()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_ / "kafka", ec);  // a restart gets a new, empty cluster, as with the mock
    real_ = std::make_unique<RealKafka>(dir_ / "kafka", options_.kafka_nodes);
    real_->create_topics(options_.partitions);
    brokers_ = real_->bootstrap();
    return;
  }
  auto cluster = kafka::MockCluster::create(1);
  require(cluster.has_value(), "mock cluster");
  cluster_ = std::move(*cluster);
  brokers_ = cluster_->bootstrap_servers();
  for (const auto& spec : events::kAllTopics) {
    auto made = cluster_->create_topic(std::string(spec.name), options_.partitions);
    require(made.has_value(), "create topic: " + (made ? std::string() : made.error().message));
  }
}

kafka::MockCluster& Stack::cluster() {
  require(cluster_ != nullptr, "the mock cluster was asked for on a stack without one");
  return *cluster_;
}

RealKafka& Stack::real_cluster() {
  require(real_ != nullptr, "the real cluster was asked for on a stack without one");
  return *real_;
}

void Stack::set_broker_down(std::int32_t broker_id) {
  if (real_) {
    // Stopped (SIGSTOP), not killed: it stops answering at once and answers again at once, where a restarted JVM
    // would take longer than the delivery timeouts these tests rely on.
    real_->pause(broker_id);
  } else {
    cluster().set_broker_down(broker_id);
  }
}

void Stack::set_broker_up(std::int32_t broker_id) {
  if (real_) {
    real_->resume(broker_id);
  } else {
    cluster().set_broker_up(broker_id);
  }
}

void Stack::restart_cluster() {
  if (gateway_) gateway_->stop(5s);
  gateway_.reset();
  stop_worker();
  stop_cluster();
  start_cluster();
  start_worker();
  start_gateway();
}

std::optional<int> Stack::stop_gateway_with(int signo, std::chrono::milliseconds timeout) {
  gateway_->signal(signo);
  auto status = gateway_->wait_for(timeout);
  if (status) gateway_.reset();
  return status;
}

std::string Stack::worker_metrics() const {
  const auto port_text = common::read_file(dir_ / "worker.port");
  require(port_text.has_value(), "worker port file");
  auto reply =
      http_request("127.0.0.1", static_cast<std::uint16_t>(std::stoi(*port_text)), "GET", "/metrics", {}, "", 5s);
  require(reply.has_value() && reply->status == 200,
          "worker metrics: " + (reply ? "status " + std::to_string(reply->status) : reply.error().message));
  return reply->body;
}

Stack::~Stack() {
  if (mailer_) mailer_->stop(5s);
  mailer_.reset();
  for (auto& gateway : extra_gateways_) gateway.stop(5s);
  if (gateway_) gateway_->stop(5s);
  if (worker_) worker_->stop(5s);
  gateway_.reset();
  worker_.reset();
  stop_cluster();
  std::error_code ec;
  if (::testing::Test::HasFailure()) {
    // Keep the logs of a failed test where a developer can read them.
    std::fprintf(stderr, "stack files kept in %s\n", dir_.c_str());
  } else {
    std::filesystem::remove_all(dir_, ec);
  }
}

void Stack::start_worker() {
  std::filesystem::remove(dir_ / "worker.port");
  std::vector<std::string> args{"--kafka-brokers",
                                brokers(),
                                "--data-dir",
                                dir_.string(),
                                "--portals-file",
                                (dir_ / "portals.json").string(),
                                "--link-secret-file",
                                (dir_ / "link.secret").string(),
                                "--log-level",
                                "debug",
                                "--listen-address",
                                "127.0.0.1",
                                "--port",
                                "0",
                                "--port-file",
                                (dir_ / "worker.port").string()};
  const auto mock = client_args(cluster_ != nullptr, options_.kafka_config);
  args.insert(args.end(), mock.begin(), mock.end());
  auto child = devstack::ChildProcess::spawn({INVITE_WORKER_BIN, args, options_.env, dir_ / "worker.log", false});
  require(child.has_value(), "spawn worker: " + child.error().message);
  worker_ = std::move(*child);
  require(eventually([&] { return common::read_file(dir_ / "worker.port").has_value(); }, 30s), "worker port file");
}

void Stack::stop_worker() {
  if (worker_) worker_->stop(10s);
  worker_.reset();
}

void Stack::kill_worker() {
  if (!worker_) return;
  worker_->signal(SIGKILL);
  worker_->wait_for(10s);
  worker_.reset();
}

std::optional<int> Stack::stop_worker_with(int signo, std::chrono::milliseconds timeout) {
  worker_->signal(signo);
  auto status = worker_->wait_for(timeout);
  if (status) worker_.reset();
  return status;
}

void Stack::start_mailer(const std::vector<std::string>& extra_args) {
  require(!mailer_, "the stack's mailer is already running");
  const auto port_file = dir_ / "mailer.port";
  std::filesystem::create_directories(dir_ / "mailer");
  std::vector<std::string> args{"--kafka-brokers",
                                brokers(),
                                "--group-id",
                                "it-mailer",
                                "--data-dir",
                                (dir_ / "mailer").string(),
                                "--portals-file",
                                (dir_ / "portals.json").string(),
                                "--listen-address",
                                "127.0.0.1",
                                "--port",
                                "0",
                                "--port-file",
                                port_file.string(),
                                "--rate-per-domain",
                                "0",
                                "--log-level",
                                "debug"};
  bool smtp = false;
  for (const auto& arg : extra_args) smtp |= arg == "--smtp-url";
  if (!smtp) args.insert(args.end(), {"--outbox-dir", outbox_dir().string()});
  const auto mock = client_args(cluster_ != nullptr, options_.kafka_config);
  args.insert(args.end(), mock.begin(), mock.end());
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto child = devstack::ChildProcess::spawn({INVITE_MAILER_BIN, args, options_.env, dir_ / "mailer.log", false});
  require(child.has_value(), "spawn mailer: " + child.error().message);
  mailer_ = std::move(*child);
  require(eventually([&] { return common::read_file(port_file).has_value(); }, 30s), "mailer port file");
}

void Stack::start_gateway() {
  auto [child, port] = spawn_gateway("gateway", options_.gateway_args);
  gateway_ = std::move(child);
  port_ = port;
}

std::uint16_t Stack::start_extra_gateway(std::int32_t reply_partition) {
  auto args = options_.gateway_args;
  args.insert(args.end(), {"--reply-partition", std::to_string(reply_partition)});
  auto [child, port] = spawn_gateway("gateway-" + std::to_string(extra_gateways_.size() + 2), args);
  extra_gateways_.push_back(std::move(child));
  return port;
}

std::pair<devstack::ChildProcess, std::uint16_t> Stack::spawn_gateway(const std::string& name,
                                                                      const std::vector<std::string>& extra_args) {
  const auto port_file = dir_ / (name + ".port");
  std::filesystem::remove(port_file);
  std::vector<std::string> args{
      "--kafka-brokers",
      brokers(),
      "--listen-address",
      "127.0.0.1",
      "--port",
      "0",
      "--port-file",
      port_file.string(),
      "--portals-file",
      (dir_ / "portals.json").string(),
      "--token-secret-file",
      (dir_ / "token.secret").string(),
      "--request-timeout",
      std::to_string(options_.request_timeout.count()) + "ms",
      "--delivery-timeout",
      std::to_string(std::min<std::int64_t>(5000, options_.request_timeout.count() / 2)) + "ms",
      "--log-level",
      "debug"};
  const auto mock = client_args(cluster_ != nullptr, options_.kafka_config);
  args.insert(args.end(), mock.begin(), mock.end());
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  auto child = devstack::ChildProcess::spawn({INVITE_GATEWAY_BIN, args, options_.env, dir_ / (name + ".log"), false});
  require(child.has_value(), "spawn " + name + ": " + child.error().message);
  require(eventually([&] { return common::read_file(port_file).has_value(); }, 20s), name + " port file");
  const auto port = static_cast<std::uint16_t>(std::stoi(*common::read_file(port_file)));
  require(eventually(
              [&] {
                auto reply = http_request("127.0.0.1", port, "GET", "/readyz", {}, "", 2s);
                return reply && reply->status == 200;
              },
              30s),
          name + " ready");
  return {std::move(*child), port};
}

std::string Stack::token(domain::Role role, const std::string& portal, std::int64_t ttl_s,
                         const std::string& user_id) const {
  auth::Claims claims;
  claims.user_id = user_id.empty() ? common::new_uuid() : user_id;
  claims.portal = portal;
  claims.role = role;
  claims.issued_at = common::now_ms() / 1000;
  claims.expires_at = claims.issued_at + ttl_s;
  return auth::issue_token(claims, token_secret_);
}

HttpReply Stack::invite(const std::string& body, const std::string& token, const std::string& portal,
                        std::vector<std::pair<std::string, std::string>> extra) const {
  std::vector<std::pair<std::string, std::string>> headers{
      {"Host", portal}, {"Content-Type", "application/json"}, {"Accept", "application/json"}};
  if (!token.empty()) headers.emplace_back("Cookie", std::string(auth::kAuthCookie) + "=" + token);
  for (auto& h : extra) headers.push_back(std::move(h));
  auto reply = http_request("127.0.0.1", port_, "POST", "/api/2.0/people/invite", headers, body, 60s);
  require(reply.has_value(), "invite request failed: " + reply.error().message);
  return *reply;
}

HttpReply Stack::get(const std::string& target) const {
  auto reply = http_request("127.0.0.1", port_, "GET", target, {{"Host", "localhost"}}, "", 10s);
  require(reply.has_value(), "GET failed: " + reply.error().message);
  return *reply;
}

HttpReply Stack::request(const std::string& method, const std::string& target, const std::string& body,
                         const std::string& token, std::vector<std::pair<std::string, std::string>> extra,
                         const std::string& portal) const {
  std::vector<std::pair<std::string, std::string>> headers{{"Host", portal}, {"Accept", "application/json"}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  if (!token.empty()) headers.emplace_back("Cookie", std::string(auth::kAuthCookie) + "=" + token);
  for (auto& h : extra) headers.push_back(std::move(h));
  auto reply = http_request("127.0.0.1", port_, method, target, headers, body, 60s);
  require(reply.has_value(), method + " " + target + " failed: " + reply.error().message);
  return *reply;
}

std::vector<kafka::InRecord> Stack::read_topic(const std::string& topic, std::size_t expected,
                                               std::chrono::milliseconds timeout) const {
  return testing::read_topic(brokers(), topic, expected, timeout);
}

std::pair<int, std::string> Stack::invitectl(const std::vector<std::string>& args) const {
  return run_invitectl(args, dir_ / "invitectl.log");
}

nlohmann::json Stack::users() const {
  auto [status, out] = invitectl({"users", "--data-dir", dir_.string(), "--json"});
  require(status == 0, "invitectl users failed");
  return nlohmann::json::parse(out);
}

std::vector<nlohmann::json> Stack::users_with(const std::string& email) const {
  std::vector<nlohmann::json> found;
  for (const auto& user : users()) {
    if (user["email"] == email) found.push_back(user);
  }
  return found;
}

std::vector<events::EmailJob> Stack::email_jobs_for(const std::string& email, std::size_t at_least) const {
  std::vector<events::EmailJob> jobs;
  eventually(
      [&] {
        jobs.clear();
        for (const auto& record : read_topic(std::string(events::topics::kEmails), 0, 5s)) {
          auto job = events::decode_email_job(record.value);
          if (job && job->recipient_email == email) jobs.push_back(*job);
        }
        return jobs.size() >= at_least;
      },
      10s);
  return jobs;
}

std::vector<kafka::InRecord> read_topic(const std::string& brokers, const std::string& topic, std::size_t expected,
                                        std::chrono::milliseconds timeout) {
  auto created = kafka::Consumer::create(brokers, "", {}, "integration-reader");
  require(created.has_value(), "reader");
  auto consumer = std::move(*created);
  const auto partitions = consumer->partition_count(topic, 5s);
  require(partitions.has_value(), "partitions of " + topic);
  std::vector<kafka::Assignment> assignments;
  for (int p = 0; p < *partitions; ++p) assignments.push_back({topic, p, kafka::kOffsetBeginning});
  require(consumer->assign(assignments).has_value(), "assign reader");
  std::vector<kafka::InRecord> records;
  std::vector<bool> at_end(static_cast<std::size_t>(*partitions), false);
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < until) {
    auto polled = consumer->poll(100ms);
    if (auto* record = std::get_if<kafka::InRecord>(&polled)) {
      at_end[static_cast<std::size_t>(record->partition)] = false;
      records.push_back(std::move(*record));
    } else if (auto* eof = std::get_if<kafka::PartitionEof>(&polled)) {
      at_end[static_cast<std::size_t>(eof->partition)] = true;
    }
    const bool all_at_end = std::all_of(at_end.begin(), at_end.end(), [](bool b) { return b; });
    if (all_at_end && records.size() >= expected) break;
  }
  consumer->close();
  return records;
}

std::pair<int, std::string> run_invitectl(const std::vector<std::string>& args,
                                          const std::filesystem::path& stderr_log) {
  std::string command = INVITECTL_BIN;
  for (const auto& arg : args) command += " '" + arg + "'";
  command += " 2>>'" + stderr_log.string() + "'";
  FILE* pipe = ::popen(command.c_str(), "r");
  require(pipe != nullptr, "popen invitectl");
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, out};
}

std::string invite_body(const std::vector<std::pair<std::string, std::string>>& invitations,
                        const std::string& culture) {
  nlohmann::json body;
  body["invitations"] = nlohmann::json::array();
  for (const auto& [email, type] : invitations) {
    nlohmann::json item{{"email", email}};
    if (!type.empty()) item["type"] = type;
    body["invitations"].push_back(item);
  }
  if (!culture.empty()) body["culture"] = culture;
  return body.dump();
}

}  // namespace invite::testing
