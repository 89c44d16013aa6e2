#pragma once
// Command-line flags with environment-variable twins: `--kafka-brokers x` or INVITE_KAFKA_BROKERS=x.
// Precedence: command line > environment > default. Every binary lists its flags with `--help`.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace invite::common {

struct FlagSpec {
  std::string name;           // without leading dashes, e.g. "kafka-brokers"
  std::string default_value;  // "" means empty / unset
  std::string help;
  bool repeatable = false;    // may be given several times (e.g. --kafka-config k=v)
  bool is_switch = false;     // takes no value; present means "true"
};

class Flags {
 public:
  // env_prefix "INVITE_": flag "kafka-brokers" has twin INVITE_KAFKA_BROKERS. For repeatable flags the
  // environment twin holds several values separated by commas.
  Flags(std::string program, std::string summary, std::vector<FlagSpec> specs, std::string env_prefix = "INVITE_");

  // Parses argv[first..argc) and the environment. Returns an error message for unknown flags, missing values
  // or positional arguments (positional arguments are collected instead when allow_positional is true).
  std::optional<std::string> parse(int argc, char** argv, int first = 1, bool allow_positional = false);

  bool help_requested() const { return help_; }
  std::string usage() const;  // program, summary, then one line per flag: name, env twin, default, help

  std::string get(std::string_view name) const;  // last value given, or the default
  // True when the command line or the environment twin sets the flag (even to its default value), so that a
  // setting derived from elsewhere (e.g. a pod name) can refuse to silently override an explicit one.
  bool given(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  bool get_switch(std::string_view name) const;
  const std::vector<std::string>& positional() const { return positional_; }

  // Typed readers; they return nullopt (never throw) when the value is malformed so that main can report it.
  std::optional<int64_t> get_int(std::string_view name) const;
  std::optional<std::chrono::milliseconds> get_duration(std::string_view name) const;

 private:
  const FlagSpec* find(std::string_view name) const;
  std::string program_, summary_, env_prefix_;
  std::vector<FlagSpec> specs_;
  std::vector<std::pair<std::string, std::string>> given_;  // name, value, in command-line order
  std::vector<std::string> positional_;
  bool help_ = false;
};

// "250ms", "10s", "15m", "2h", "7d"; a bare number means milliseconds. nullopt when malformed or negative.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// "key=value" split at the first '='; nullopt when there is no '=' or the key is empty.
std::optional<std::pair<std::string, std::string>> parse_key_value(std::string_view text);

}  // namespace invite::common
