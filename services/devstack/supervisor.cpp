#include "supervisor.hpp"

#include <charconv>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "address.hpp"
#include "bootstrap_files.hpp"
#include "child_process.hpp"
#include "invite/auth/token.hpp"
#include "invite/common/files.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/common/text.hpp"
#include "invite/events/topics.hpp"
#include "invite/http/client.hpp"
#include "invite/kafka/client.hpp"

namespace invite::devstack {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using common::log_error;
using common::log_info;

constexpr auto kStopGrace = 10s;
constexpr auto kPortFileWait = 30s;
constexpr auto kReadyWait = 60s;
// Creating the topics of a real cluster, from the first metadata request to leaders everywhere.
constexpr auto kTopicsWait = 15s;
constexpr std::int64_t kTokenLifetimeS = 30LL * 24 * 3600;

struct Child {
  std::string name;
  std::optional<ChildProcess> process;
};

class Devstack {
 public:
  Devstack(Settings config, StopFlag& stop) : config_(std::move(config)), stop_(stop) {}

  ~Devstack() {
    stop_children();
    if (cluster_) {
      cluster_.reset();
      log_info("embedded kafka stopped");
    }
  }

  // 0 after a signal, 1 when something failed or a child exited by itself.
  int run() {
    std::error_code ec;
    fs::create_directories(config_.data_dir, ec);
    if (ec) {
      log_error("cannot create data directory", {{"dir", config_.data_dir.string()}, {"error", ec.message()}});
      return 1;
    }
    const fs::path token_secret_file = config_.data_dir / "token.secret";
    const fs::path link_secret_file = config_.data_dir / "link.secret";
    const fs::path portals_file = config_.data_dir / "portals.json";
    const fs::path port_file = config_.data_dir / "gateway.port";
    const fs::path gateway_log = config_.data_dir / "gateway.log";
    const fs::path worker_log = config_.data_dir / "worker.log";
    const fs::path mailer_log = config_.data_dir / "mailer.log";
    const fs::path outbox_mail = config_.data_dir / "outbox-mail";

    const auto token_secret = ensure_secret(token_secret_file);
    if (!token_secret || !ensure_secret(link_secret_file)) return 1;

    // The portal's baseUrl needs the real port before the children start (both read the portals file once),
    // so "any free port" is chosen here rather than by the gateway. Another process could take it in the
    // moment between; the gateway then fails to bind and the devstack says so and exits.
    unsigned short port = config_.port;
    if (port == 0) {
      const auto picked = http::free_port(config_.listen_address);
      if (!picked) {
        log_error("no free port", {{"address", config_.listen_address}});
        return 1;
      }
      port = *picked;
    }
    if (!ensure_portals_file(portals_file, config_.portal, port)) return 1;

    std::string brokers = config_.kafka.brokers;
    if (brokers.empty()) {
      if (auto started = start_embedded_kafka()) {
        brokers = *started;
      } else {
        return 1;
      }
    } else {
      log_info("using kafka cluster", {{"brokers", brokers}});
      if (!ensure_real_topics(brokers)) return 1;
    }

    std::vector<std::string> kafka_args;
    if (config_.kafka.brokers.empty()) {
      // Given first, so a --kafka-config of the user's overrides them.
      for (const auto& [key, value] : kafka::MockCluster::client_properties()) {
        kafka_args.insert(kafka_args.end(), {"--kafka-config", key + "=" + value});
      }
    }
    for (const auto& [key, value] : config_.kafka.config) {
      kafka_args.insert(kafka_args.end(), {"--kafka-config", key + "=" + value});
    }

    std::vector<std::string> worker_args = {
        "--kafka-brokers", brokers, "--data-dir", config_.data_dir.string(), "--portals-file", portals_file.string(),
        "--link-secret-file", link_secret_file.string(),
        // Its /metrics on any free port: a fixed one would clash between
        // devstacks; the port is in <data dir>/worker.port.
        "--listen-address", "127.0.0.1", "--port", "0", "--port-file", (config_.data_dir / "worker.port").string(),
        "--log-level", config_.log_level_name};
    worker_args.insert(worker_args.end(), kafka_args.begin(), kafka_args.end());
    if (!spawn(worker_, "invite-worker", worker_args, worker_log)) return 1;

    if (config_.mailer) {
      // Without INVITE_SMTP_URL in the environment (which reaches it), the mailer writes .eml files and prints
      // each one's path on its stdout, which is ours: the newcomer sees where the invitation went.
      std::vector<std::string> mailer_args = {"--kafka-brokers",  brokers,
                                              "--data-dir",       config_.data_dir.string(),
                                              "--outbox-dir",     outbox_mail.string(),
                                              "--portals-file",   portals_file.string(),
                                              "--listen-address", "127.0.0.1",
                                              "--port",           "0",
                                              "--port-file",      (config_.data_dir / "mailer.port").string(),
                                              "--log-level",      config_.log_level_name};
      mailer_args.insert(mailer_args.end(), kafka_args.begin(), kafka_args.end());
      if (!spawn(mailer_, "invite-mailer", mailer_args, mailer_log, /*inherit_stdout=*/true)) return 1;
    }

    fs::remove(port_file, ec);  // a stale file from an earlier run would announce the wrong port
    std::vector<std::string> gateway_args = {"--kafka-brokers",
                                             brokers,
                                             "--listen-address",
                                             config_.listen_address,
                                             "--port",
                                             std::to_string(port),
                                             "--port-file",
                                             port_file.string(),
                                             "--portals-file",
                                             portals_file.string(),
                                             "--token-secret-file",
                                             token_secret_file.string(),
                                             "--reply-partition",
                                             "0",
                                             "--log-level",
                                             config_.log_level_name};
    gateway_args.insert(gateway_args.end(), kafka_args.begin(), kafka_args.end());
    if (!spawn(gateway_, "invite-gateway", gateway_args, gateway_log)) return 1;

    const auto bound = wait_for_port_file(port_file);
    if (!bound) return outcome();
    if (!wait_until_ready(*bound)) return outcome();

    const std::string url = "http://" + config_.portal + ":" + std::to_string(*bound);
    auth::Claims claims;
    claims.user_id = common::new_uuid();
    claims.portal = config_.portal;
    claims.role = domain::Role::Owner;
    claims.issued_at = common::now_ms() / 1000;
    claims.expires_at = claims.issued_at + kTokenLifetimeS;
    const std::string token = auth::issue_token(claims, *token_secret);

    nlohmann::json summary = {
        {"url", url},
        {"brokers", brokers},
        {"portal", config_.portal},
        {"token", token},
        {"tokenSecretFile", token_secret_file.string()},
        {"linkSecretFile", link_secret_file.string()},
        {"portalsFile", portals_file.string()},
        {"dataDir", config_.data_dir.string()},
        {"gatewayLog", gateway_log.string()},
        {"workerLog", worker_log.string()},
    };
    if (config_.mailer) {
      summary["mailerLog"] = mailer_log.string();
      summary["outboxMailDir"] = outbox_mail.string();
    }
    const fs::path summary_file = config_.data_dir / "devstack.json";
    // Printed first: devstack.json appearing is what scripts wait for, and by then the lines are out.
    print_welcome(url, *bound, token, summary_file);
    // 0600: it holds a 30-day Owner token.
    if (auto written = common::write_file_atomic(summary_file, summary.dump(2) + "\n", 0600); !written) {
      log_error("cannot write devstack.json", {{"file", summary_file.string()}, {"error", written.error().message}});
      return 1;
    }
    log_info("ready", {{"url", url}, {"brokers", brokers}, {"summary", summary_file.string()}});
    return supervise();
  }

 private:
  // The brokers of an embedded cluster with every topic; an error (already logged) when it cannot start.
  common::Result<std::string> start_embedded_kafka() {
    auto created = kafka::MockCluster::create(1);
    if (!created) {
      log_error("cannot start embedded kafka", {{"error", created.error().message}});
      return created.error();
    }
    cluster_ = std::move(*created);
    for (const auto& spec : events::kAllTopics) {
      const std::string_view topic = spec.name;
      if (auto made = cluster_->create_topic(std::string(topic), config_.partitions); !made) {
        log_error("cannot create topic", {{"topic", std::string(topic)}, {"error", made.error().message}});
        return made.error();
      }
    }
    const std::string brokers = cluster_->bootstrap_servers();
    log_info("embedded kafka started",
             {{"brokers", brokers}, {"partitions", static_cast<std::int64_t>(config_.partitions)}});
    return brokers;
  }

  // Creates the missing topics of a real cluster (the same ones the embedded cluster gets) and refuses one with
  // fewer partitions than --partitions: the worker keeps a portal's users in the SQLite file of its partition of
  // invite.requested.v1, so running on another count than asked would silently move portals between files.
  bool ensure_real_topics(const std::string& brokers) {
    std::vector<kafka::TopicSpec> specs;
    for (auto& plan : events::topic_plan(config_.partitions, config_.replication_factor, config_.min_insync_replicas)) {
      specs.push_back({std::move(plan.name), plan.partitions, plan.replication_factor, std::move(plan.config)});
    }
    auto ensured = kafka::ensure_topics(brokers, config_.kafka.config, specs, kTopicsWait);
    if (!ensured) {
      log_error("cannot prepare the topics", {{"brokers", brokers}, {"error", ensured.error().message}});
      return false;
    }
    bool ok = true;
    for (const kafka::TopicState& topic : *ensured) {
      if (topic.too_few_partitions) {
        log_error("topic has fewer partitions than asked; use --partitions " + std::to_string(topic.partitions) +
                      " or another cluster",
                  {{"topic", topic.name},
                   {"partitions", static_cast<std::int64_t>(topic.partitions)},
                   {"wanted", static_cast<std::int64_t>(topic.wanted_partitions)}});
        ok = false;
        continue;
      }
      log_info(topic.created ? "created topic" : "topic exists",
               {{"topic", topic.name},
                {"partitions", static_cast<std::int64_t>(topic.partitions)},
                {"replicas", static_cast<std::int64_t>(topic.replication_factor)}});
    }
    return ok;
  }

  bool spawn(Child& child, const std::string& program, const std::vector<std::string>& args, const fs::path& log,
             bool inherit_stdout = false) {
    child.name = program;
    ChildProcess::Options options;
    options.program = config_.bin_dir / program;
    options.args = args;
    options.stderr_file = log;
    options.inherit_stdout = inherit_stdout;
    // Ctrl-C in the terminal reaches only us; we stop the children in order.
    options.new_process_group = true;
    auto spawned = ChildProcess::spawn(options);
    if (!spawned) {
      log_error("cannot start child", {{"program", options.program.string()}, {"error", spawned.error().message}});
      return false;
    }
    child.process = std::move(*spawned);
    log_info("started child", {{"program", options.program.string()},
                               {"pid", static_cast<std::int64_t>(child.process->pid())},
                               {"log", log.string()}});
    return true;
  }

  // Called while waiting: a signal asks us to stop (exit 0), a child that exited makes us fail (exit 1).
  bool should_abort() {
    if (stop_.get()) return true;
    for (Child* child : {&gateway_, &worker_, &mailer_}) {
      if (child->process && !child->process->running()) {
        const int status = child->process->wait_for(0ms).value_or(-1);
        log_error("child exited", {{"program", child->name}, {"status", static_cast<std::int64_t>(status)}});
        child_failed_ = true;
        return true;
      }
    }
    return false;
  }

  int outcome() { return child_failed_ || !stop_.get() ? 1 : 0; }

  std::optional<unsigned short> wait_for_port_file(const fs::path& port_file) {
    const auto deadline = std::chrono::steady_clock::now() + kPortFileWait;
    while (!should_abort()) {
      if (auto text = common::read_file(port_file)) {
        // Written atomically, so a file that is there is whole; anything but a port is the gateway's bug.
        unsigned short port = 0;
        const auto digits = common::trim(*text);
        const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
        if (ec == std::errc() && end == digits.data() + digits.size() && port > 0) return port;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        log_error("gateway did not write its port file", {{"file", port_file.string()}});
        return std::nullopt;
      }
      stop_.wait(50ms);
    }
    return std::nullopt;
  }

  bool wait_until_ready(unsigned short port) {
    const std::string host = reachable_address(config_.listen_address);
    const auto deadline = std::chrono::steady_clock::now() + kReadyWait;
    while (!should_abort()) {
      const auto reply = http::send_request(host, port, "GET", "/readyz", {}, "", 2s);
      if (reply && reply->status == 200) return true;
      if (std::chrono::steady_clock::now() >= deadline) {
        log_error("gateway did not become ready", {{"port", static_cast<std::int64_t>(port)}});
        return false;
      }
      stop_.wait(200ms);
    }
    return false;
  }

  void print_welcome(const std::string& url, unsigned short port, const std::string& token,
                     const fs::path& summary_file) const {
    // The portal name need not resolve: the option tells curl where it lives.
    const std::string resolve = curl_resolve_option(config_.portal, port, config_.listen_address);
    std::cout << "invite-devstack is ready: " << url << "\n"
              << "details (token, brokers, logs): " << summary_file.string() << "\n\n"
              << "curl -sS" << resolve << " -X POST '" << url << "/api/2.0/people/invite' \\\n"
              << "  -H 'Content-Type: application/json' \\\n"
              << "  --cookie '" << auth::kAuthCookie << "=" << token << "' \\\n"
              << "  -d '{\"invitations\":[{\"email\":\"someone@example.com\",\"type\":\"User\"}]}'\n";
    if (config_.mailer) {
      const char* smtp_url = std::getenv("INVITE_SMTP_URL");
      if (smtp_url != nullptr && *smtp_url != '\0') {
        std::cout << "\ninvitation e-mails go to " << smtp_url << "\n";
      } else {
        std::cout << "\ninvitation e-mails are written to " << (config_.data_dir / "outbox-mail").string()
                  << "/ (each one's path appears below)\n";
      }
    }
    std::cout << std::endl;
  }

  int supervise() {
    while (!should_abort()) stop_.wait(200ms);
    if (auto signo = stop_.get()) log_info("stopping", {{"signal", static_cast<std::int64_t>(*signo)}});
    return outcome();
  }

  // Gateway first: it stops taking requests while the worker can still answer the ones in flight; the mailer
  // last, after the worker has relayed the e-mail jobs of those.
  void stop_children() {
    for (Child* child : {&gateway_, &worker_, &mailer_}) {
      if (!child->process) continue;
      const bool was_running = child->process->running();
      const int status = child->process->stop(kStopGrace);
      if (was_running) {
        log_info("stopped child", {{"program", child->name}, {"status", static_cast<std::int64_t>(status)}});
      }
      child->process.reset();
    }
  }

  Settings config_;
  StopFlag& stop_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  Child gateway_;
  Child worker_;
  Child mailer_;
  bool child_failed_ = false;
};

}  // namespace

int run_devstack(Settings settings, StopFlag& stop) {
  Devstack stack(std::move(settings), stop);
  return stack.run();
}

}  // namespace invite::devstack
