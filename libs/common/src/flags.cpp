#include "invite/common/flags.hpp"

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <limits>

#include "invite/common/text.hpp"

namespace invite::common {
namespace {

std::optional<bool> parse_bool(std::string_view text) {
  const std::string v = ascii_lower(trim(text));
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  return std::nullopt;
}

std::string env_name(std::string_view prefix, std::string_view flag) {
  std::string out(prefix);
  for (char c : flag) out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

}  // namespace

Flags::Flags(std::string program, std::string summary, std::vector<FlagSpec> specs, std::string env_prefix)
    : program_(std::move(program)), summary_(std::move(summary)), env_prefix_(std::move(env_prefix)),
      specs_(std::move(specs)) {}

const FlagSpec* Flags::find(std::string_view name) const {
  for (const auto& spec : specs_) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

std::optional<std::string> Flags::parse(int argc, char** argv, int first, bool allow_positional) {
  given_.clear();
  positional_.clear();
  help_ = false;
  bool only_positional = false;  // after "--"
  for (int i = first; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (only_positional || arg == "-" || !arg.starts_with("-")) {
      if (!allow_positional) return "unexpected argument '" + std::string(arg) + "'";
      positional_.emplace_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    if (arg == "--help" || arg == "-h") {
      help_ = true;
      continue;
    }
    if (!arg.starts_with("--")) return "unknown flag '" + std::string(arg) + "'";

    const std::string_view body = arg.substr(2);
    const auto eq = body.find('=');
    const std::string_view name = body.substr(0, eq);
    const FlagSpec* spec = find(name);
    if (!spec) return "unknown flag '--" + std::string(name) + "'";

    if (spec->is_switch) {
      if (eq == std::string_view::npos) {
        given_.emplace_back(spec->name, "true");
        continue;
      }
      // `--flag=false` lets a script turn off a switch that the environment turned on.
      const auto value = body.substr(eq + 1);
      if (!parse_bool(value)) return "flag '--" + spec->name + "' is a switch and takes no value";
      given_.emplace_back(spec->name, std::string(value));
      continue;
    }

    if (eq != std::string_view::npos) {
      given_.emplace_back(spec->name, std::string(body.substr(eq + 1)));
      continue;
    }
    // A following "--x" is almost certainly the next flag, not this one's value.
    if (i + 1 >= argc || std::string_view(argv[i + 1]).starts_with("--")) {
      return "flag '--" + spec->name + "' needs a value";
    }
    given_.emplace_back(spec->name, argv[++i]);
  }
  return std::nullopt;
}

std::string Flags::usage() const {
  std::string out = "Usage: " + program_ + " [flags]\n";
  if (!summary_.empty()) out += "\n" + summary_ + "\n";
  out += "\nFlags:\n";

  std::vector<std::pair<std::string, std::string>> rows;  // left column, right column
  for (const auto& spec : specs_) {
    std::string left = "  --" + spec.name + (spec.is_switch ? "" : " <value>");
    std::string right = "(env " + env_name(env_prefix_, spec.name);
    if (!spec.default_value.empty()) right += ", default: " + spec.default_value;
    right += ")  " + spec.help;
    if (spec.repeatable) right += " (repeatable; comma-separated in the environment)";
    rows.emplace_back(std::move(left), std::move(right));
  }
  rows.emplace_back("  -h, --help", "show this help");

  std::size_t width = 0;
  for (const auto& row : rows) width = std::max(width, row.first.size());
  for (const auto& [left, right] : rows) {
    out += left + std::string(width - left.size() + 3, ' ') + right + "\n";
  }
  return out;
}

std::string Flags::get(std::string_view name) const {
  const FlagSpec* spec = find(name);
  assert(spec && "flag read but never declared");
  if (!spec) return {};
  for (auto it = given_.rbegin(); it != given_.rend(); ++it) {
    if (it->first == name) return it->second;
  }
  // Set-but-empty counts as set: Kubernetes manifests use that to clear a default.
  if (const char* env = std::getenv(env_name(env_prefix_, name).c_str())) return env;
  return spec->default_value;
}

bool Flags::given(std::string_view name) const {
  const FlagSpec* spec = find(name);
  assert(spec && "flag read but never declared");
  if (!spec) return false;
  for (const auto& entry : given_) {
    if (entry.first == name) return true;
  }
  return std::getenv(env_name(env_prefix_, name).c_str()) != nullptr;
}

std::vector<std::string> Flags::get_all(std::string_view name) const {
  const FlagSpec* spec = find(name);
  assert(spec && "flag read but never declared");
  if (!spec) return {};
  std::vector<std::string> values;
  for (const auto& [flag, value] : given_) {
    if (flag == name) values.push_back(value);
  }
  if (!values.empty()) return values;

  std::string_view source;
  std::string env_copy;
  if (const char* env = std::getenv(env_name(env_prefix_, name).c_str())) {
    env_copy = env;
    source = env_copy;
  } else {
    source = spec->default_value;
  }
  while (!source.empty()) {
    const auto comma = source.find(',');
    const auto item = trim(source.substr(0, comma));
    if (!item.empty()) values.emplace_back(item);
    if (comma == std::string_view::npos) break;
    source.remove_prefix(comma + 1);
  }
  return values;
}

bool Flags::get_switch(std::string_view name) const { return parse_bool(get(name)).value_or(false); }

std::optional<int64_t> Flags::get_int(std::string_view name) const {
  const std::string text = get(name);
  const std::string_view v = trim(text);
  int64_t out = 0;
  const auto result = std::from_chars(v.data(), v.data() + v.size(), out);
  if (v.empty() || result.ec != std::errc() || result.ptr != v.data() + v.size()) return std::nullopt;
  return out;
}

std::optional<std::chrono::milliseconds> Flags::get_duration(std::string_view name) const {
  return parse_duration(get(name));
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  text = trim(text);
  int64_t number = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
  if (result.ec != std::errc() || number < 0) return std::nullopt;
  const std::string_view unit(result.ptr, static_cast<std::size_t>(text.data() + text.size() - result.ptr));

  int64_t factor = 0;
  if (unit.empty() || unit == "ms") factor = 1;
  else if (unit == "s") factor = 1000;
  else if (unit == "m") factor = 60 * 1000;
  else if (unit == "h") factor = 60 * 60 * 1000;
  else if (unit == "d") factor = 24 * 60 * 60 * 1000;
  else return std::nullopt;

  if (number > std::numeric_limits<int64_t>::max() / factor) return std::nullopt;
  return std::chrono::milliseconds(number * factor);
}

std::optional<std::pair<std::string, std::string>> parse_key_value(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

}  // namespace invite::common
