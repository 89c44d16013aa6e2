#pragma once
// Command lines on CLI11. Every flag has an environment twin (--kafka-brokers or INVITE_KAFKA_BROKERS; command line >
// environment > default), each value is checked while parsing, so a bad one is one line and the usage (exit 2)
// before anything starts, and --help lists every flag with its twin and default. A flag is bound to a field of the
// caller's settings struct, which holds the default until the command line or the environment says otherwise.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/system/result.hpp>

#include "invite/common/result.hpp"

namespace CLI {
class App;
}

namespace invite::runtime {

// Why a service's read_settings gives main no settings: the exit code main returns at once (0 after --help, 2 after
// a bad command line, whose message and usage are already on stderr). A class with a declared constructor, not an
// int: boost::system::result<Settings, ExitCode> must never have to guess whether a value is settings or a code.
struct ExitCode {
  ExitCode() = default;
  explicit ExitCode(int code) : value(code) {}
  int value = 0;
};
template <class Settings>
using SettingsOrExit = boost::system::result<Settings, ExitCode>;

// A value read from text, or why it is not one (an error "must be ..."); the flag's name is added in front.
template <class T>
using Parser = std::function<common::Result<T>(std::string_view)>;

class Cli {
 public:
  Cli(std::string program, std::string summary, std::string env_prefix = "INVITE_");
  ~Cli();
  Cli(const Cli&) = delete;
  Cli& operator=(const Cli&) = delete;

  // A flag whose value `parse` reads into `target`; `default_text` is parsed into it at once and shown by --help.
  template <class T>
  void value(const std::string& name, T& target, std::string default_text, Parser<T> parse, std::string help) {
    add(name, std::move(default_text), std::move(help), Kind::Value,
        [&target, parse = std::move(parse)](std::string_view text, bool assign) -> common::Result<> {
          auto parsed = parse(text);
          if (!parsed) return parsed.error();
          if (assign) target = std::move(*parsed);
          return {};
        });
  }

  // Taken as given (no trimming): paths, addresses, names. `required`: not empty (check_required).
  void text(const std::string& name, std::string& target, std::string default_text, std::string help,
            bool required = false);
  // A whole number in [low, high], blanks around it ignored.
  void integer(const std::string& name, std::int64_t& target, std::string default_text, std::int64_t low,
               std::int64_t high, std::string help);
  // "250ms", "10s", "15m", "2h", "7d" or bare milliseconds, at least `min`.
  void duration(const std::string& name, std::chrono::milliseconds& target, std::string default_text, std::string help,
                std::chrono::milliseconds min = std::chrono::milliseconds(0));
  // May be given several times; the environment twin holds the values separated by commas.
  void repeatable(const std::string& name, std::vector<std::string>& target, std::string help);
  // key=value entries (librdkafka properties), repeatable like the above.
  void key_values(const std::string& name, std::vector<std::pair<std::string, std::string>>& target, std::string help);
  // Takes no value; `--name=false` (or the twin set to 0, false, no, off) turns it off again.
  void toggle(const std::string& name, bool& target, std::string help);

  // A subcommand (invitectl users, users disable) with flags of its own; lives as long as this Cli.
  Cli& command(const std::string& name, std::string summary);
  // After parse: whether this subcommand was on the command line.
  bool chosen() const;

  // The exit code when main should stop here: 0 after --help (usage on stdout), 2 after a bad command line (the
  // problem and the usage of the command concerned on stderr). nullopt: go on.
  std::optional<int> parse(int argc, char** argv);

  // After parse and the checks that should speak first (a pod name against an index): the usage error (2) for the
  // first flag declared required that has no value, in declaration order, of the command that runs.
  std::optional<int> check_required() const;

  // True when the command line or the environment twin sets the flag (even to its default value), so that a
  // setting derived from elsewhere (a pod name) can refuse to silently override an explicit one.
  bool given(const std::string& name) const;
  std::string usage() const;
  // For checks across flags after parse: the message and usage on stderr; returns 2 for main to exit with.
  int usage_error(const std::string& message) const;
  // Usage errors as one line naming --help instead of the whole usage: for an operator's tool run from scripts,
  // whose logs should show one line per failure (the services keep the usage, which their manifests' authors read).
  void one_line_usage_errors();
  // The environment twin of a flag of this program, e.g. INVITE_KAFKA_BROKERS.
  std::string env_name(std::string_view flag) const;
  // Every flag's environment twin (this command's and its subcommands').
  std::vector<std::string> env_names() const;

 private:
  enum class Kind { Value, Repeatable, Toggle };
  using Apply = std::function<common::Result<>(std::string_view text, bool assign)>;
  struct State;
  Cli(std::shared_ptr<State> state, CLI::App* app);
  void add(const std::string& name, std::string default_text, std::string help, Kind kind, Apply apply);

  std::shared_ptr<State> state_;
  CLI::App* app_;
};

// "250ms", "10s", "15m", "2h", "7d"; a bare number means milliseconds. nullopt when malformed or negative.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// "key=value" split at the first '='; nullopt when there is no '=' or the key is empty.
std::optional<std::pair<std::string, std::string>> parse_key_value(std::string_view text);

}  // namespace invite::runtime
