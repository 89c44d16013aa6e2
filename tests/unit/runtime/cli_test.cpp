#include "invite/runtime/cli.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "support/argv.hpp"

using invite::runtime::Cli;
using invite::runtime::parse_duration;
using invite::runtime::parse_key_value;
using namespace std::chrono_literals;

namespace {

using invite::testing::Argv;

// Sets an environment variable for one test and restores the previous state afterwards.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value) : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    ::setenv(name_.c_str(), value.c_str(), 1);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// Captures what parse() writes to std::cout and std::cerr.
class Captured {
 public:
  Captured() : out_(std::cout.rdbuf(out.rdbuf())), err_(std::cerr.rdbuf(err.rdbuf())) {}
  ~Captured() {
    std::cout.rdbuf(out_);
    std::cerr.rdbuf(err_);
  }
  std::ostringstream out, err;

 private:
  std::streambuf* out_;
  std::streambuf* err_;
};

// A prefix of its own so that the developer's real INVITE_* variables cannot leak into the tests.
constexpr const char* kPrefix = "FLAGSTEST_";

struct Values {
  std::string brokers;
  std::int64_t port = 0;
  std::chrono::milliseconds deadline{};
  std::vector<std::pair<std::string, std::string>> kafka_config;
  bool verbose = false;
  std::string name;
};

struct Program {
  Values v;
  Cli cli{"invite-test", "Test program.", kPrefix};
  Program() {
    cli.text("kafka-brokers", v.brokers, "localhost:9092", "bootstrap servers");
    cli.integer("port", v.port, "8080", 0, 65535, "HTTP port");
    cli.duration("deadline", v.deadline, "10s", "request deadline");
    cli.key_values("kafka-config", v.kafka_config, "librdkafka property key=value");
    cli.toggle("verbose", v.verbose, "more logs");
    cli.text("name", v.name, "", "a name (required)", true);
  }
  // nullopt: parsed, go on; else the exit code, with the output in `err`/`out`.
  std::optional<int> parse(std::initializer_list<std::string> args) {
    Argv argv(args);
    Captured captured;
    auto code = cli.parse(argv.argc(), argv.argv());
    if (!code) code = cli.check_required();
    out = captured.out.str();
    err = captured.err.str();
    return code;
  }
  std::string out, err;
};

using KV = std::vector<std::pair<std::string, std::string>>;

}  // namespace

TEST(Cli, DefaultsWhenNothingGiven) {
  Program t;
  ASSERT_EQ(t.parse({"prog", "--name", "n"}), std::nullopt) << t.err;
  EXPECT_EQ(t.v.brokers, "localhost:9092");
  EXPECT_EQ(t.v.port, 8080);
  EXPECT_EQ(t.v.deadline, 10s);
  EXPECT_FALSE(t.v.verbose);
  EXPECT_TRUE(t.v.kafka_config.empty());
}

TEST(Cli, SpaceAndEqualsForms) {
  Program t;
  ASSERT_EQ(t.parse({"prog", "--kafka-brokers", "a:1,b:2", "--port=9000", "--verbose", "--name=n"}), std::nullopt)
      << t.err;
  EXPECT_EQ(t.v.brokers, "a:1,b:2");
  EXPECT_EQ(t.v.port, 9000);
  EXPECT_TRUE(t.v.verbose);
}

TEST(Cli, EqualsFormKeepsEmptyAndFurtherEquals) {
  Program t;
  ASSERT_EQ(t.parse({"prog", "--kafka-config=sasl.password=a=b", "--kafka-brokers=", "--name=n"}), std::nullopt)
      << t.err;
  EXPECT_EQ(t.v.kafka_config, (KV{{"sasl.password", "a=b"}}));
  EXPECT_EQ(t.v.brokers, "");
}

TEST(Cli, PrecedenceCommandLineOverEnvOverDefault) {
  ScopedEnv brokers("FLAGSTEST_KAFKA_BROKERS", "env:1");
  ScopedEnv port("FLAGSTEST_PORT", "7000");
  Program t;
  ASSERT_EQ(t.parse({"prog", "--port", "9000", "--name", "n"}), std::nullopt) << t.err;
  EXPECT_EQ(t.v.brokers, "env:1");  // env beats default
  EXPECT_EQ(t.v.port, 9000);        // command line beats env
  EXPECT_EQ(t.v.deadline, 10s);     // default when neither
}

TEST(Cli, SetButEmptyEnvironmentCountsAsSet) {
  // Kubernetes manifests clear a default that way.
  ScopedEnv brokers("FLAGSTEST_KAFKA_BROKERS", "");
  Program t;
  ASSERT_EQ(t.parse({"prog", "--name", "n"}), std::nullopt) << t.err;
  EXPECT_EQ(t.v.brokers, "");
}

TEST(Cli, GivenTellsAnExplicitValueFromTheDefault) {
  ScopedEnv brokers("FLAGSTEST_KAFKA_BROKERS", "localhost:9092");
  Program t;
  ASSERT_EQ(t.parse({"prog", "--port=8080", "--name", "n"}), std::nullopt) << t.err;
  EXPECT_TRUE(t.cli.given("port"));           // on the command line, though equal to the default
  EXPECT_TRUE(t.cli.given("kafka-brokers"));  // in the environment, though equal to the default
  EXPECT_FALSE(t.cli.given("deadline"));
  EXPECT_FALSE(t.cli.given("verbose"));
}

TEST(Cli, LastCommandLineValueWins) {
  Program t;
  ASSERT_EQ(t.parse({"prog", "--port", "1", "--port", "2", "--name", "n"}), std::nullopt) << t.err;
  EXPECT_EQ(t.v.port, 2);
}

TEST(Cli, RepeatableAccumulatesFromCommandLine) {
  ScopedEnv env("FLAGSTEST_KAFKA_CONFIG", "ignored=1");
  Program t;
  ASSERT_EQ(t.parse({"prog", "--kafka-config", "a=1", "--kafka-config=b=2,c", "--name", "n"}), std::nullopt) << t.err;
  EXPECT_EQ(t.v.kafka_config, (KV{{"a", "1"}, {"b", "2,c"}}));  // commas split only the environment twin
}

TEST(Cli, RepeatableFallsBackToCommaSeparatedEnv) {
  ScopedEnv env("FLAGSTEST_KAFKA_CONFIG", "a=1, b=2,,c=3");
  Program t;
  ASSERT_EQ(t.parse({"prog", "--name", "n"}), std::nullopt) << t.err;
  EXPECT_EQ(t.v.kafka_config, (KV{{"a", "1"}, {"b", "2"}, {"c", "3"}}));
}

TEST(Cli, SwitchFromEnvironmentAndExplicitFalse) {
  ScopedEnv env("FLAGSTEST_VERBOSE", "true");
  {
    Program t;
    ASSERT_EQ(t.parse({"prog", "--name", "n"}), std::nullopt) << t.err;
    EXPECT_TRUE(t.v.verbose);
  }
  {
    Program t;
    ASSERT_EQ(t.parse({"prog", "--verbose=false", "--name", "n"}), std::nullopt) << t.err;
    EXPECT_FALSE(t.v.verbose);
  }
}

TEST(Cli, HelpListsEveryFlagWithEnvTwinAndDefault) {
  for (const char* help : {"--help", "-h"}) {
    Program t;
    EXPECT_EQ(t.parse({"prog", help}), 0) << help;  // before the required --name is missed
    EXPECT_TRUE(t.err.empty()) << t.err;
    const std::string& usage = t.out;
    EXPECT_NE(usage.find("Usage: invite-test"), std::string::npos) << usage;
    EXPECT_NE(usage.find("Test program."), std::string::npos);
    EXPECT_NE(usage.find("  --kafka-brokers <value>   (env FLAGSTEST_KAFKA_BROKERS, default: localhost:9092)  "
                         "bootstrap servers\n"),
              std::string::npos)
        << usage;
    EXPECT_NE(usage.find("(env FLAGSTEST_PORT, default: 8080)  HTTP port"), std::string::npos) << usage;
    EXPECT_NE(usage.find("(env FLAGSTEST_KAFKA_CONFIG)  librdkafka property key=value (repeatable; comma-separated "
                         "in the environment)"),
              std::string::npos)
        << usage;
    EXPECT_NE(usage.find("--verbose "), std::string::npos);
    EXPECT_EQ(usage.find("--verbose <value>"), std::string::npos);
    EXPECT_NE(usage.find("--help"), std::string::npos);
  }
}

TEST(Cli, ErrorsAreOneLineAndTheUsageWithExit2) {
  for (std::initializer_list<std::string> args : {
           std::initializer_list<std::string>{"prog", "--name", "n", "--no-such-flag", "x"},
           {"prog", "--name", "n", "--port"},
           {"prog", "--name", "n", "--port", "--verbose"},  // the next flag is not a value
           {"prog", "--name", "n", "--verbose=maybe"},
           {"prog", "--name", "n", "stray"},
           {"prog", "--name", "n", "-x"},
           {"prog", "--name", "n", "--port", "80x"},
           {"prog", "--name", "n", "--port", "65536"},
           {"prog", "--name", "n", "--deadline", "soon"},
           {"prog", "--name", "n", "--kafka-config", "novalue"},
           {"prog"},                // --name is required
           {"prog", "--name", ""},  // and must not be empty
       }) {
    Program t;
    EXPECT_EQ(t.parse(args), 2);
    EXPECT_TRUE(t.out.empty());
    const auto first_line = t.err.substr(0, t.err.find('\n'));
    EXPECT_EQ(first_line.rfind("invite-test: ", 0), 0u) << t.err;
    EXPECT_NE(t.err.find("\n\nUsage: invite-test"), std::string::npos) << t.err;
  }
  Program t;
  EXPECT_EQ(t.parse({"prog", "--no-such-flag"}), 2);
  EXPECT_NE(t.err.find("no-such-flag"), std::string::npos) << t.err;
  EXPECT_EQ(t.parse({"prog"}), 2);
  EXPECT_NE(t.err.find("--name is required"), std::string::npos) << t.err;
}

TEST(Cli, BadEnvironmentValueNamesTheVariable) {
  ScopedEnv port("FLAGSTEST_PORT", "eighty");
  Program t;
  EXPECT_EQ(t.parse({"prog", "--name", "n"}), 2);
  EXPECT_NE(t.err.find("eighty"), std::string::npos) << t.err;
}

// Values pasted into manifests or env files often carry stray blanks or a line end.
TEST(Cli, TypedValuesIgnoreSurroundingWhitespace) {
  ScopedEnv port("FLAGSTEST_PORT", " \t9000\r\n");
  ScopedEnv verbose("FLAGSTEST_VERBOSE", " Yes\n");
  Program t;
  ASSERT_EQ(t.parse({"prog", "--deadline", " 15s ", "--name", " n "}), std::nullopt) << t.err;
  EXPECT_EQ(t.v.port, 9000);
  EXPECT_EQ(t.v.deadline, 15s);
  EXPECT_TRUE(t.v.verbose);
  EXPECT_EQ(t.v.name, " n ");  // text is left as given
}

TEST(Cli, CommandsReadOnlyTheirOwnFlagsAndTwins) {
  ScopedEnv bad("FLAGSTEST_TTL", "never");  // for `token`, which does not run
  Cli cli("tool", "A tool.", kPrefix);
  std::string data_dir, email;
  std::chrono::milliseconds ttl{};
  auto& token = cli.command("token", "issue a token");
  token.duration("ttl", ttl, "24h", "lifetime");
  auto& users = cli.command("users", "list users");
  users.text("data-dir", data_dir, "", "data directory (required)", true);
  auto& disable = users.command("disable", "disable a user");
  std::string disable_dir;
  disable.text("data-dir", disable_dir, "", "data directory (required)", true);
  disable.text("email", email, "", "e-mail (required)", true);
  Argv argv{"tool", "users", "disable", "--data-dir", "d", "--email", "a@b"};
  Captured captured;
  ASSERT_EQ(cli.parse(argv.argc(), argv.argv()), std::nullopt) << captured.err.str();
  ASSERT_EQ(cli.check_required(), std::nullopt) << captured.err.str();  // not users' own --data-dir
  EXPECT_TRUE(users.chosen());
  EXPECT_TRUE(disable.chosen());
  EXPECT_FALSE(token.chosen());
  EXPECT_EQ(disable_dir, "d");
  EXPECT_EQ(email, "a@b");
}

TEST(Cli, DefaultEnvPrefixIsInvite) {
  ScopedEnv env("INVITE_FLAGS_TEST_ONLY", "from-env");
  std::string value;
  Cli cli("p", "s");
  cli.text("flags-test-only", value, "d", "h");
  Argv args{"p"};
  ASSERT_EQ(cli.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(value, "from-env");
  EXPECT_EQ(cli.env_name("flags-test-only"), "INVITE_FLAGS_TEST_ONLY");
}

TEST(Durations, UnitsAndBareMilliseconds) {
  EXPECT_EQ(parse_duration("250ms"), 250ms);
  EXPECT_EQ(parse_duration("10s"), 10s);
  EXPECT_EQ(parse_duration("15m"), 15min);
  EXPECT_EQ(parse_duration("2h"), 2h);
  EXPECT_EQ(parse_duration("7d"), std::chrono::hours(7 * 24));
  EXPECT_EQ(parse_duration("1500"), 1500ms);
  EXPECT_EQ(parse_duration("0"), 0ms);
}

TEST(Durations, Malformed) {
  for (const char* bad :
       {"", "s", "-5s", "10x", "1.5s", "10 s x", "ms10", "99999999999999999999d", "9223372036854775807d"}) {
    EXPECT_EQ(parse_duration(bad), std::nullopt) << bad;
  }
}

TEST(KeyValue, SplitsAtFirstEquals) {
  EXPECT_EQ(parse_key_value("security.protocol=SASL_SSL"),
            (std::pair<std::string, std::string>{"security.protocol", "SASL_SSL"}));
  EXPECT_EQ(parse_key_value("sasl.password=a=b"), (std::pair<std::string, std::string>{"sasl.password", "a=b"}));
  EXPECT_EQ(parse_key_value("key="), (std::pair<std::string, std::string>{"key", ""}));
  EXPECT_EQ(parse_key_value("novalue"), std::nullopt);
  EXPECT_EQ(parse_key_value("=value"), std::nullopt);
}
