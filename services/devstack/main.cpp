// invite-devstack: the whole service on one machine. An in-process Kafka (librdkafka's mock cluster) or a real
// one, the topics, generated secrets and portals file, and the gateway, worker and mailer as child processes.
#include <cctype>
#include <charconv>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "address.hpp"
#include "invite/auth/token.hpp"
#include "invite/common/files.hpp"
#include "invite/common/flags.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/log.hpp"
#include "invite/common/process.hpp"
#include "invite/common/signals.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/portal.hpp"
#include "invite/runtime/portals_file.hpp"
#include "invite/events/topics.hpp"
#include "invite/http/client.hpp"
#include "invite/kafka/client.hpp"

namespace invite::devstack {


namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using common::log_error;
using common::log_info;
using common::log_warn;

constexpr auto kStopGrace = 10s;
constexpr auto kPortFileWait = 30s;
constexpr auto kReadyWait = 60s;
// Creating the topics of a real cluster, from the first metadata request to leaders everywhere.
constexpr auto kTopicsWait = 15s;
constexpr std::int64_t kTokenLifetimeS = 30LL * 24 * 3600;

struct Config {
  fs::path data_dir;
  unsigned short port = 0;
  std::string listen_address;
  std::string brokers;  // empty: embedded
  int partitions = 4;
  int replication_factor = 1;  // real cluster only, for the topics it creates
  int min_insync_replicas = 1;
  std::string portal;
  fs::path bin_dir;
  std::vector<std::string> kafka_config;  // "key=value"
  std::string log_level;
  bool mailer = true;
};

std::vector<common::FlagSpec> flag_specs() {
  return {
      {"data-dir", "", "directory for secrets, portals file, SQLite files, logs and devstack.json (required)"},
      {"port", "8080", "HTTP port of the gateway; 0 picks a free one"},
      {"listen-address", "127.0.0.1", "address the gateway listens on"},
      {"kafka-brokers", "", "bootstrap servers of a real cluster; empty runs an embedded mock cluster"},
      {"partitions", "4",
       "partitions of every topic the devstack creates (embedded cluster, or missing topics of --kafka-brokers; the "
       "dead-letter topic gets 1 there); an existing topic with fewer is refused"},
      {"replication-factor", "1", "replicas of every topic created on --kafka-brokers (at most its number of brokers)"},
      {"min-insync-replicas", "1", "min.insync.replicas of every topic created on --kafka-brokers (at most "
                                   "--replication-factor)"},
      {"portal", "localhost", "host name of the single portal written to a new portals file"},
      {"bin-dir", "", "where invite-gateway, invite-worker and invite-mailer are (default: next to this executable)"},
      {"kafka-config", "", "librdkafka property key=value for the children", true},
      {"log-level", "info", "debug, info, warn or error (also passed to the children)"},
      {"no-mailer", "", "do not run invite-mailer (to run your own against the brokers)", false, true},
  };
}

std::variant<Config, std::string> read_config(const common::Flags& flags) {
  Config config;
  config.data_dir = flags.get("data-dir");
  if (config.data_dir.empty()) return std::string("--data-dir is required");
  config.data_dir = fs::absolute(config.data_dir);
  const auto port = flags.get_int("port");
  if (!port || *port < 0 || *port > 65535) return std::string("--port must be a number in 0..65535");
  config.port = static_cast<unsigned short>(*port);
  config.listen_address = flags.get("listen-address");
  config.brokers = flags.get("kafka-brokers");
  const auto partitions = flags.get_int("partitions");
  if (!partitions || *partitions < 1 || *partitions > 1000) return std::string("--partitions must be in 1..1000");
  config.partitions = static_cast<int>(*partitions);
  const auto replicas = flags.get_int("replication-factor");
  if (!replicas || *replicas < 1 || *replicas > 100) return std::string("--replication-factor must be in 1..100");
  config.replication_factor = static_cast<int>(*replicas);
  const auto min_isr = flags.get_int("min-insync-replicas");
  if (!min_isr || *min_isr < 1 || *min_isr > *replicas) {
    return std::string("--min-insync-replicas must be in 1..--replication-factor");
  }
  config.min_insync_replicas = static_cast<int>(*min_isr);
  config.portal = common::ascii_lower(flags.get("portal"));
  if (config.portal.empty()) return std::string("--portal must not be empty");
  config.bin_dir = flags.get("bin-dir").empty() ? common::executable_dir() : fs::path(flags.get("bin-dir"));
  for (const std::string& entry : flags.get_all("kafka-config")) {
    if (!common::parse_key_value(entry)) return "--kafka-config expects key=value, got '" + entry + "'";
    config.kafka_config.push_back(entry);
  }
  config.log_level = flags.get("log-level");
  if (!common::parse_log_level(config.log_level)) return "unknown --log-level '" + config.log_level + "'";
  config.mailer = !flags.get_switch("no-mailer");
  return config;
}

// Reuses an existing secret so that tokens and invitation links from earlier runs stay valid.
std::optional<std::string> ensure_secret(const fs::path& path) {
  if (fs::exists(path)) {
    std::string error;
    if (auto secret = common::read_secret(path, &error)) return secret;
    log_error("cannot read secret", {{"file", path.string()}, {"error", error}});
    return std::nullopt;
  }
  std::string secret = common::random_hex(32);
  std::string error;
  if (!common::write_file_atomic(path, secret, 0600, &error)) {
    log_error("cannot write secret", {{"file", path.string()}, {"error", error}});
    return std::nullopt;
  }
  log_info("generated secret", {{"file", path.string()}});
  return secret;
}

std::string generated_portals(const std::string& portal, const std::string& port) {
  domain::Portal entry;
  entry.host = portal;
  entry.display_name = "Local DocSpace";
  entry.base_url = "http://" + portal + ":" + port;
  entry.default_culture = "en-US";
  entry.paid_seats = std::nullopt;
  entry.allow_inviting_members = true;
  entry.daily_invitation_budget = std::nullopt;
  return runtime::portals_file_json(domain::PortalDirectory({entry}));
}

// The port an existing portals file was generated for, when the file is still exactly as we wrote it.
std::optional<std::string> untouched_generated_port(const std::string& content, const std::string& portal) {
  auto parsed = runtime::parse_portals_file(content);
  const auto* directory = std::get_if<domain::PortalDirectory>(&parsed);
  if (directory == nullptr || directory->portals().size() != 1) return std::nullopt;
  const std::string prefix = "http://" + portal + ":";
  const std::string& base_url = directory->portals().front().base_url;
  if (!base_url.starts_with(prefix)) return std::nullopt;
  const std::string port = base_url.substr(prefix.size());
  if (common::trim(generated_portals(portal, port)) != common::trim(content)) return std::nullopt;
  return port;
}

// Written once: later runs keep an operator's edits (delete the file to regenerate it). A file that is still
// exactly what we generated follows the port of this run, so that URLs handed out match it after a restart
// with --port 0.
bool ensure_portals_file(const fs::path& path, const std::string& portal, unsigned short port) {
  const std::string wanted = generated_portals(portal, std::to_string(port));
  if (fs::exists(path)) {
    const auto content = common::read_file(path);
    const auto old_port = content ? untouched_generated_port(*content, portal) : std::nullopt;
    if (!old_port || *old_port == std::to_string(port)) {
      log_info("using existing portals file", {{"file", path.string()}});
      return true;
    }
    log_info("updating the port in the generated portals file",
             {{"file", path.string()}, {"from", *old_port}, {"to", std::to_string(port)}});
  }
  std::string error;
  if (!common::write_file_atomic(path, wanted, 0644, &error)) {
    log_error("cannot write portals file", {{"file", path.string()}, {"error", error}});
    return false;
  }
  log_info("wrote portals file", {{"file", path.string()}, {"portal", portal}});
  return true;
}

// Set from the signal thread, read by the main loop.
class StopFlag {
 public:
  void set(int signo) {
    std::lock_guard lock(mutex_);
    signo_ = signo;
    changed_.notify_all();
  }
  std::optional<int> get() {
    std::lock_guard lock(mutex_);
    return signo_;
  }
  // Sleeps up to d; returns the signal once one arrived.
  std::optional<int> wait(std::chrono::milliseconds d) {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, d, [this] { return signo_.has_value(); });
    return signo_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::optional<int> signo_;
};

struct Child {
  std::string name;
  std::optional<common::ChildProcess> process;
};

class Devstack {
 public:
  Devstack(Config config, StopFlag& stop) : config_(std::move(config)), stop_(stop) {}

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

    std::string brokers = config_.brokers;
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
    if (config_.brokers.empty()) {
      // Given first, so a --kafka-config of the user's overrides them.
      for (const auto& [key, value] : kafka::MockCluster::client_properties()) {
        kafka_args.insert(kafka_args.end(), {"--kafka-config", key + "=" + value});
      }
    }
    for (const auto& entry : config_.kafka_config) {
      kafka_args.push_back("--kafka-config");
      kafka_args.push_back(entry);
    }

    std::vector<std::string> worker_args = {"--kafka-brokers", brokers,
                                            "--data-dir", config_.data_dir.string(),
                                            "--portals-file", portals_file.string(),
                                            "--link-secret-file", link_secret_file.string(),
                                            // Its /metrics on any free port: a fixed one would clash between
                                            // devstacks; the port is in <data dir>/worker.port.
                                            "--listen-address", "127.0.0.1", "--port", "0",
                                            "--port-file", (config_.data_dir / "worker.port").string(),
                                            "--log-level", config_.log_level};
    worker_args.insert(worker_args.end(), kafka_args.begin(), kafka_args.end());
    if (!spawn(worker_, "invite-worker", worker_args, worker_log)) return 1;

    if (config_.mailer) {
      // Without INVITE_SMTP_URL in the environment (which reaches it), the mailer writes .eml files and prints
      // each one's path on its stdout, which is ours: the newcomer sees where the invitation went.
      std::vector<std::string> mailer_args = {"--kafka-brokers", brokers,
                                              "--data-dir", config_.data_dir.string(),
                                              "--outbox-dir", outbox_mail.string(),
                                              "--portals-file", portals_file.string(),
                                              "--listen-address", "127.0.0.1", "--port", "0",
                                              "--port-file", (config_.data_dir / "mailer.port").string(),
                                              "--log-level", config_.log_level};
      mailer_args.insert(mailer_args.end(), kafka_args.begin(), kafka_args.end());
      if (!spawn(mailer_, "invite-mailer", mailer_args, mailer_log, /*inherit_stdout=*/true)) return 1;
    }

    fs::remove(port_file, ec);  // a stale file from an earlier run would announce the wrong port
    std::vector<std::string> gateway_args = {"--kafka-brokers", brokers,
                                             "--listen-address", config_.listen_address,
                                             "--port", std::to_string(port),
                                             "--port-file", port_file.string(),
                                             "--portals-file", portals_file.string(),
                                             "--token-secret-file", token_secret_file.string(),
                                             "--reply-partition", "0",
                                             "--log-level", config_.log_level};
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
    std::string error;
    // 0600: it holds a 30-day Owner token.
    if (!common::write_file_atomic(summary_file, summary.dump(2) + "\n", 0600, &error)) {
      log_error("cannot write devstack.json", {{"file", summary_file.string()}, {"error", error}});
      return 1;
    }
    log_info("ready", {{"url", url}, {"brokers", brokers}, {"summary", summary_file.string()}});
    return supervise();
  }

 private:
  std::optional<std::string> start_embedded_kafka() {
    auto created = kafka::MockCluster::create(1);
    if (auto* error = std::get_if<std::string>(&created)) {
      log_error("cannot start embedded kafka", {{"error", *error}});
      return std::nullopt;
    }
    cluster_ = std::move(std::get<std::unique_ptr<kafka::MockCluster>>(created));
    for (const auto& spec : events::kAllTopics) {
      if (auto error = cluster_->create_topic(std::string(spec.name), config_.partitions)) {
        log_error("cannot create topic", {{"topic", std::string(spec.name)}, {"error", *error}});
        return std::nullopt;
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
    kafka::Properties extra;
    for (const auto& entry : config_.kafka_config) extra.push_back(*common::parse_key_value(entry));
    std::vector<kafka::TopicSpec> specs;
    for (auto& plan : events::topic_plan(config_.partitions, config_.replication_factor, config_.min_insync_replicas)) {
      specs.push_back({std::move(plan.name), plan.partitions, plan.replication_factor, std::move(plan.config)});
    }
    auto ensured = kafka::ensure_topics(brokers, extra, specs, kTopicsWait);
    if (auto* error = std::get_if<std::string>(&ensured)) {
      log_error("cannot prepare the topics", {{"brokers", brokers}, {"error", *error}});
      return false;
    }
    bool ok = true;
    for (const kafka::TopicState& topic : std::get<std::vector<kafka::TopicState>>(ensured)) {
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
    common::ChildProcess::Options options;
    options.program = config_.bin_dir / program;
    options.args = args;
    options.stderr_file = log;
    options.inherit_stdout = inherit_stdout;
    // Ctrl-C in the terminal reaches only us; we stop the children in order.
    options.new_process_group = true;
    std::string error;
    child.process = common::ChildProcess::spawn(options, &error);
    if (!child.process) {
      log_error("cannot start child", {{"program", options.program.string()}, {"error", error}});
      return false;
    }
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

  Config config_;
  StopFlag& stop_;
  std::unique_ptr<kafka::MockCluster> cluster_;
  Child gateway_;
  Child worker_;
  Child mailer_;
  bool child_failed_ = false;
};

}  // namespace
}  // namespace invite::devstack

int main(int argc, char** argv) {
  using namespace invite;
  // Before any thread exists (librdkafka's included), so that only the signal thread receives SIGINT/SIGTERM.
  common::block_termination_signals();

  common::Flags flags("invite-devstack",
                      "Runs the invite service locally: an embedded Kafka (or --kafka-brokers), invite-gateway, "
                      "invite-worker and invite-mailer. Writes <data-dir>/devstack.json; Ctrl-C stops everything. Other "
                      "INVITE_* environment variables reach the children (e.g. INVITE_REQUEST_TIMEOUT for the gateway, "
                      "INVITE_SMTP_URL for the mailer, which otherwise writes <data-dir>/outbox-mail/*.eml).",
                      devstack::flag_specs());
  if (auto error = flags.parse(argc, argv)) {
    std::cerr << "invite-devstack: " << *error << "\n\n" << flags.usage();
    return 2;
  }
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return 0;
  }
  auto config = devstack::read_config(flags);
  if (auto* error = std::get_if<std::string>(&config)) {
    std::cerr << "invite-devstack: " << *error << "\n\n" << flags.usage();
    return 2;
  }
  auto& cfg = std::get<devstack::Config>(config);
  // The children share flag names with us (--port, --partitions, ...) but not meanings, and they would read our
  // environment twins (INVITE_PORT, ...) as their own. What they need from us goes on their command lines; every
  // other INVITE_* variable still reaches them, to tune them. Done before any thread exists (unsetenv).
  for (const auto& spec : devstack::flag_specs()) {
    std::string name = "INVITE_";
    for (char c : spec.name) name.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
    ::unsetenv(name.c_str());
  }
  common::log_init("invite-devstack", *common::parse_log_level(cfg.log_level));

  devstack::StopFlag stop;
  std::thread signals = common::on_termination_signal([&stop](int signo) { stop.set(signo); });
  int code = 0;
  {
    devstack::Devstack stack(std::move(cfg), stop);
    code = stack.run();
  }  // children stopped, embedded kafka destroyed
  if (!stop.get()) common::request_termination();  // wakes the signal thread so it can be joined
  signals.join();
  return code;
}
