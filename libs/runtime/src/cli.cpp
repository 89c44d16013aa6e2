#include "invite/runtime/cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cassert>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <limits>

#include "invite/common/text.hpp"

namespace invite::runtime {

struct Cli::State {
  struct Spec {
    CLI::App* owner;
    CLI::Option* option;
    std::string name;
    std::string env;
    Kind kind;
    Apply apply;
    std::function<bool()> missing;  // set for required flags
  };
  std::string env_prefix;
  std::unique_ptr<CLI::App> root;
  bool one_line_errors = false;
  std::vector<Spec> specs;
  std::vector<std::unique_ptr<Cli>> commands;
};

namespace {

std::optional<bool> parse_bool(std::string_view text) {
  const std::string v = common::ascii_lower(common::trim(text));
  if (v == "1" || v == "true" || v == "yes" || v == "on") return true;
  if (v == "0" || v == "false" || v == "no" || v == "off" || v.empty()) return false;
  return std::nullopt;
}

std::string in_quotes(std::string_view text) { return "'" + std::string(text) + "'"; }

std::string command_path(const CLI::App* app) {
  std::string path = app->get_name();
  for (const CLI::App* parent = app->get_parent(); parent != nullptr; parent = parent->get_parent()) {
    path = parent->get_name() + " " + path;
  }
  return path;
}

// Today's layout: one line per flag, "--name <value>", then the twin, the default and the help in one column, so
// that people and the deploy checks (tests/deploy) read the twins off --help.
class Layout : public CLI::Formatter {
 public:
  std::string make_usage(const CLI::App* app, std::string) const override {
    const bool commands = !app->get_subcommands({}).empty();
    std::string out = "Usage: " + command_path(app) + (commands ? " <command>" : "") + " [flags]\n";
    if (!app->get_description().empty()) out += "\n" + app->get_description() + "\n";
    return out;
  }
  std::string make_description(const CLI::App*) const override { return ""; }  // under the usage line instead
  std::string make_option_opts(const CLI::Option* option) const override {
    return option->get_expected_min() > 0 ? " <value>" : "";
  }
};

}  // namespace

Cli::Cli(std::string program, std::string summary, std::string env_prefix) : state_(std::make_shared<State>()) {
  state_->env_prefix = std::move(env_prefix);
  state_->root = std::make_unique<CLI::App>(std::move(summary), std::move(program));
  app_ = state_->root.get();
  app_->formatter(std::make_shared<Layout>());
  // As before CLI11: a flag given twice takes its last value, which lets a wrapper script append an override.
  app_->option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast)->group("Flags");
  app_->get_help_ptr()->group("Flags");
}

Cli::Cli(std::shared_ptr<State> state, CLI::App* app) : state_(std::move(state)), app_(app) {}

Cli::~Cli() = default;

std::string Cli::env_name(std::string_view flag) const {
  std::string out = state_->env_prefix;
  for (char c : flag) out.push_back(c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  return out;
}

std::vector<std::string> Cli::env_names() const {
  std::vector<std::string> names;
  for (const auto& spec : state_->specs) names.push_back(spec.env);
  return names;
}

void Cli::add(const std::string& name, std::string default_text, std::string help, Kind kind, Apply apply) {
  [[maybe_unused]] const auto default_applied = apply(default_text, true);
  assert(default_applied && "a flag's default must be a valid value");
  const std::string env = env_name(name);
  std::string description = "(env " + env + (default_text.empty() ? "" : ", default: " + default_text) + ")  " + help;
  if (kind == Kind::Repeatable) description += " (repeatable; comma-separated in the environment)";

  CLI::Option* option = app_->add_option("--" + name)->description(std::move(description));
  option->check(CLI::Validator(
      [apply](std::string& text) -> std::string {
        // "--port --log-level debug": a following flag is almost certainly not this one's value.
        if (text.starts_with("--")) return "needs a value, got the flag " + in_quotes(text);
        const auto checked = apply(text, false);
        return checked ? std::string() : checked.error().message;
      },
      ""));
  option->each([apply](const std::string& text) { apply(text, true); });
  if (kind == Kind::Repeatable) {
    option->type_size(1)
        ->expected(1, CLI::detail::expected_max_vector_size)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  } else if (kind == Kind::Toggle) {
    option->expected(0, 1)->default_str("true");  // what a bare --name means
  }
  // A command reads its twins only when it runs: `invitectl users` must not trip over INVITE_TTL meant for
  // `invitectl token`. The root's callback runs on every parse. Repeatable twins are split by parse() itself.
  if (kind != Kind::Repeatable) {
    app_->preparse_callback([state = state_.get(), app = app_](std::size_t) {
      for (auto& spec : state->specs) {
        if (spec.owner == app && spec.kind != Kind::Repeatable) spec.option->envname(spec.env);
      }
    });
  }
  state_->specs.push_back({app_, option, name, env, kind, std::move(apply), {}});
}

void Cli::text(const std::string& name, std::string& target, std::string default_text, std::string help,
               bool required) {
  add(name, std::move(default_text), std::move(help), Kind::Value,
      [&target](std::string_view text, bool assign) -> common::Result<> {
        if (assign) target = std::string(text);
        return {};
      });
  if (required) state_->specs.back().missing = [&target] { return target.empty(); };
}

void Cli::integer(const std::string& name, std::int64_t& target, std::string default_text, std::int64_t low,
                  std::int64_t high, std::string help) {
  value<std::int64_t>(
      name, target, std::move(default_text),
      [low, high](std::string_view text) -> common::Result<std::int64_t> {
        const auto v = common::trim(text);
        std::int64_t out = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
        if (v.empty() || ec != std::errc() || end != v.data() + v.size() || out < low || out > high) {
          return common::fail("must be a number in " + std::to_string(low) + ".." + std::to_string(high) + ", got " +
                              in_quotes(text));
        }
        return out;
      },
      std::move(help));
}

void Cli::duration(const std::string& name, std::chrono::milliseconds& target, std::string default_text,
                   std::string help, std::chrono::milliseconds min) {
  value<std::chrono::milliseconds>(
      name, target, std::move(default_text),
      [min](std::string_view text) -> common::Result<std::chrono::milliseconds> {
        const auto parsed = parse_duration(text);
        if (!parsed || *parsed < min) {
          return common::fail("must be a duration of at least " + std::to_string(min.count()) +
                              "ms (e.g. 250ms, 10s, 15m, 2h, 7d), got " + in_quotes(text));
        }
        return *parsed;
      },
      std::move(help));
}

void Cli::repeatable(const std::string& name, std::vector<std::string>& target, std::string help) {
  add(name, "", std::move(help), Kind::Repeatable, [&target](std::string_view text, bool assign) -> common::Result<> {
    if (assign && !text.empty()) target.emplace_back(text);
    return {};
  });
}

void Cli::key_values(const std::string& name, std::vector<std::pair<std::string, std::string>>& target,
                     std::string help) {
  add(name, "", std::move(help), Kind::Repeatable, [&target](std::string_view text, bool assign) -> common::Result<> {
    if (text.empty()) return {};  // the default: none
    auto pair = parse_key_value(text);
    if (!pair) return common::fail("expects key=value, got " + in_quotes(text));
    if (assign) target.push_back(std::move(*pair));
    return {};
  });
}

void Cli::toggle(const std::string& name, bool& target, std::string help) {
  add(name, "", std::move(help), Kind::Toggle, [&target](std::string_view text, bool assign) -> common::Result<> {
    const auto on = parse_bool(text);
    if (!on) return common::fail("is a switch: true or false, got " + in_quotes(text));
    if (assign) target = *on;
    return {};
  });
}

Cli& Cli::command(const std::string& name, std::string summary) {
  CLI::App* sub = app_->add_subcommand(name, std::move(summary));
  sub->get_help_ptr()->group("Flags");
  // The state owns its commands, so a command must not own the state back (a cycle LeakSanitizer reports): it gets a
  // non-owning handle (the aliasing constructor with an empty owner).
  state_->commands.push_back(
      std::unique_ptr<Cli>(new Cli(std::shared_ptr<State>(std::shared_ptr<State>(), state_.get()), sub)));
  return *state_->commands.back();
}

bool Cli::chosen() const { return app_->parsed() > 0; }

std::optional<int> Cli::parse(int argc, char** argv) {
  std::size_t width = 0;
  for (const auto& spec : state_->specs) {
    width = std::max(width, spec.name.size() + (spec.kind == Kind::Toggle ? 4 : 12));
  }
  app_->get_formatter()->column_width(width + 3);
  // CLI11 reads "--name=" as "--name" and takes the next argument as its value; here, as before CLI11, it means
  // the empty value (a script clearing a default), so it is passed on as "--name" "".
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") {
      args.insert(args.end(), argv + i, argv + argc);
      break;
    }
    if (arg.starts_with("--") && arg.find('=') == arg.size() - 1) {
      args.emplace_back(arg.substr(0, arg.size() - 1));
      args.emplace_back();
    } else {
      args.emplace_back(arg);
    }
  }
  std::reverse(args.begin(), args.end());  // CLI11 takes them last first
  try {
    app_->parse(std::move(args));
    for (const auto& spec : state_->specs) {
      if (spec.owner->parsed() == 0 || spec.option->count() > 0) continue;
      const char* env = std::getenv(spec.env.c_str());
      if (env == nullptr) continue;
      // CLI11 skips an empty twin; here set-but-empty counts as set (manifests clear a default that way).
      std::vector<std::string> values;
      if (spec.kind != Kind::Repeatable) {
        if (*env == '\0') values.emplace_back();
      } else {
        std::string_view rest = env;
        while (!rest.empty()) {
          const auto comma = rest.find(',');
          const auto item = common::trim(rest.substr(0, comma));
          if (!item.empty()) values.emplace_back(item);
          if (comma == std::string_view::npos) break;
          rest.remove_prefix(comma + 1);
        }
      }
      for (const auto& value : values) {
        if (auto applied = spec.apply(value, true); !applied) {
          throw CLI::ValidationError(spec.env, applied.error().message);
        }
      }
    }
  } catch (const CLI::CallForHelp&) {
    std::cout << app_->help();
    return 0;
  } catch (const CLI::CallForAllHelp&) {
    std::cout << app_->help("", CLI::AppFormatMode::All);
    return 0;
  } catch (const CLI::ParseError& error) {
    return usage_error(error.what());
  }
  return std::nullopt;
}

bool Cli::given(const std::string& name) const {
  for (const auto& spec : state_->specs) {
    if (spec.owner == app_ && spec.name == name) {
      return spec.option->count() > 0 || std::getenv(spec.env.c_str()) != nullptr;
    }
  }
  assert(false && "flag asked about but never declared");
  return false;
}

std::optional<int> Cli::check_required() const {
  for (const auto& spec : state_->specs) {
    // Only the command that runs: `invitectl users disable` does not need what `invitectl users` requires.
    const auto subcommands = spec.owner->get_subcommands({});
    const bool runs = spec.owner->parsed() > 0 && std::none_of(subcommands.begin(), subcommands.end(),
                                                               [](const CLI::App* sub) { return sub->parsed() > 0; });
    if (runs && spec.missing && spec.missing()) return usage_error("--" + spec.name + " is required");
  }
  return std::nullopt;
}

std::string Cli::usage() const { return app_->help(); }

int Cli::usage_error(const std::string& message) const {
  // One line once a command is chosen (its flag was wrong); with none chosen, the usage lists the commands.
  const auto chosen = state_->root->get_subcommands([](CLI::App* sub) { return sub->parsed() > 0; });
  if (state_->one_line_errors && !chosen.empty()) {
    std::cerr << state_->root->get_name() << ": " << message << " (--help lists the flags)\n";
  } else {
    std::cerr << state_->root->get_name() << ": " << message << "\n\n" << app_->help();
  }
  return 2;
}

void Cli::one_line_usage_errors() { state_->one_line_errors = true; }

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  text = common::trim(text);
  std::int64_t number = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
  if (result.ec != std::errc() || number < 0) return std::nullopt;
  const std::string_view unit(result.ptr, static_cast<std::size_t>(text.data() + text.size() - result.ptr));

  std::int64_t factor = 0;
  if (unit.empty() || unit == "ms")
    factor = 1;
  else if (unit == "s")
    factor = 1000;
  else if (unit == "m")
    factor = std::int64_t{60} * 1000;
  else if (unit == "h")
    factor = std::int64_t{60} * 60 * 1000;
  else if (unit == "d")
    factor = std::int64_t{24} * 60 * 60 * 1000;
  else
    return std::nullopt;

  if (number > std::numeric_limits<std::int64_t>::max() / factor) return std::nullopt;
  return std::chrono::milliseconds(number * factor);
}

std::optional<std::pair<std::string, std::string>> parse_key_value(std::string_view text) {
  const auto eq = text.find('=');
  if (eq == std::string_view::npos || eq == 0) return std::nullopt;
  return std::make_pair(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
}

}  // namespace invite::runtime
