#include "real_kafka.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace invite::testing {
namespace {

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

bool real_kafka_requested() {
  const char* value = std::getenv("INVITE_TEST_KAFKA");
  return value != nullptr && std::string(value) == "real";
}

std::pair<int, std::string> run_program(const std::filesystem::path& program, const std::vector<std::string>& args,
                                        const std::filesystem::path& stderr_log) {
  std::string command = quoted(program.string());
  for (const auto& arg : args) command += " " + quoted(arg);
  command += " 2>>" + quoted(stderr_log.string());
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen " + program.string());
  std::string out;
  std::array<char, 4096> buffer{};
  while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) out.append(buffer.data(), n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128, out};
}

RealKafka::RealKafka(std::filesystem::path dir, int nodes) : dir_(std::move(dir)), nodes_(nodes) {
  std::filesystem::create_directories(dir_);
  auto [status, out] = kafka({"up", "--nodes", std::to_string(nodes), "--owner-pid", std::to_string(::getpid())});
  if (status != 0) throw std::runtime_error("scripts/kafka up failed; see " + (dir_ / "scripts-kafka.log").string());
  // The bootstrap servers are the last line printed.
  out = trimmed(out);
  bootstrap_ = out.substr(out.find_last_of('\n') == std::string::npos ? 0 : out.find_last_of('\n') + 1);
}

// Killed, not shut down: the data goes with the test, and a controlled shutdown of three nodes takes many seconds.
RealKafka::~RealKafka() { kafka({"down", "--keep", "--now"}); }

std::pair<int, std::string> RealKafka::kafka(const std::vector<std::string>& args) const {
  auto with_dir = args;
  with_dir.insert(with_dir.end(), {"--dir", (dir_ / "cluster").string()});
  return run_program(INVITE_KAFKA_SCRIPT, with_dir, dir_ / "scripts-kafka.log");
}

void RealKafka::must(const std::vector<std::string>& args) const {
  if (kafka(args).first != 0) {
    throw std::runtime_error("scripts/kafka " + args.front() + " failed; see " + (dir_ / "scripts-kafka.log").string());
  }
}

void RealKafka::kill(int node) { must({"kill", std::to_string(node)}); }
void RealKafka::start(int node) { must({"start", std::to_string(node)}); }
void RealKafka::pause(int node) { must({"pause", std::to_string(node)}); }
void RealKafka::resume(int node) { must({"resume", std::to_string(node)}); }
void RealKafka::stop_all() { must({"stop", "all"}); }
void RealKafka::start_all() { must({"start", "all"}); }

std::optional<int> RealKafka::leader(const std::string& topic, int partition) const {
  auto [status, out] = kafka({"leader", topic, std::to_string(partition)});
  if (status != 0 || trimmed(out).empty()) return std::nullopt;
  const int id = std::stoi(trimmed(out));
  return id >= 1 ? std::optional<int>(id) : std::nullopt;
}

std::optional<int> RealKafka::controller() const {
  auto [status, out] = kafka({"controller"});
  if (status != 0 || trimmed(out).empty()) return std::nullopt;
  return std::stoi(trimmed(out));
}

void RealKafka::create_topics(int partitions) const {
  const int replicas = nodes_ >= 3 ? 3 : 1;
  const int min_isr = nodes_ >= 3 ? 2 : 1;
  auto [status, out] =
      run_program(INVITECTL_BIN,
                  {"topics", "--kafka-brokers", bootstrap_, "--partitions", std::to_string(partitions),
                   "--replication-factor", std::to_string(replicas), "--min-insync-replicas", std::to_string(min_isr)},
                  dir_ / "invitectl-topics.log");
  if (status != 0) {
    throw std::runtime_error("invitectl topics failed: " + out + "; see " + (dir_ / "invitectl-topics.log").string());
  }
}

}  // namespace invite::testing
