#include "invite/common/flags.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "support/argv.hpp"

using invite::common::FlagSpec;
using invite::common::Flags;
using invite::common::parse_duration;
using invite::common::parse_key_value;
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
    if (old_) ::setenv(name_.c_str(), old_->c_str(), 1);
    else ::unsetenv(name_.c_str());
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// A prefix of its own so that the developer's real INVITE_* variables cannot leak into the tests.
constexpr const char* kPrefix = "FLAGSTEST_";

Flags make_flags() {
  return Flags("invite-test", "Test program.",
               {
                   {"kafka-brokers", "localhost:9092", "bootstrap servers"},
                   {"port", "8080", "HTTP port"},
                   {"deadline", "10s", "request deadline"},
                   {"kafka-config", "", "librdkafka property key=value", true, false},
                   {"verbose", "", "more logs", false, true},
               },
               kPrefix);
}

}  // namespace

TEST(Flags, DefaultsWhenNothingGiven) {
  auto flags = make_flags();
  Argv args{"prog"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get("kafka-brokers"), "localhost:9092");
  EXPECT_EQ(flags.get_int("port"), 8080);
  EXPECT_EQ(flags.get_duration("deadline"), 10s);
  EXPECT_FALSE(flags.get_switch("verbose"));
  EXPECT_TRUE(flags.get_all("kafka-config").empty());
  EXPECT_FALSE(flags.help_requested());
}

TEST(Flags, SpaceAndEqualsForms) {
  auto flags = make_flags();
  Argv args{"prog", "--kafka-brokers", "a:1,b:2", "--port=9000", "--verbose"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get("kafka-brokers"), "a:1,b:2");
  EXPECT_EQ(flags.get_int("port"), 9000);
  EXPECT_TRUE(flags.get_switch("verbose"));
}

TEST(Flags, EqualsFormKeepsEmptyAndFurtherEquals) {
  auto flags = make_flags();
  Argv args{"prog", "--kafka-config=sasl.password=a=b", "--kafka-brokers="};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get("kafka-config"), "sasl.password=a=b");
  EXPECT_EQ(flags.get("kafka-brokers"), "");
}

TEST(Flags, PrecedenceCommandLineOverEnvOverDefault) {
  ScopedEnv brokers("FLAGSTEST_KAFKA_BROKERS", "env:1");
  ScopedEnv port("FLAGSTEST_PORT", "7000");
  auto flags = make_flags();
  Argv args{"prog", "--port", "9000"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get("kafka-brokers"), "env:1");  // env beats default
  EXPECT_EQ(flags.get_int("port"), 9000);          // command line beats env
  EXPECT_EQ(flags.get("deadline"), "10s");         // default when neither
}

TEST(Flags, GivenTellsAnExplicitValueFromTheDefault) {
  ScopedEnv brokers("FLAGSTEST_KAFKA_BROKERS", "localhost:9092");
  auto flags = make_flags();
  Argv args{"prog", "--port=8080"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_TRUE(flags.given("port"));           // on the command line, though equal to the default
  EXPECT_TRUE(flags.given("kafka-brokers"));  // in the environment, though equal to the default
  EXPECT_FALSE(flags.given("deadline"));
  EXPECT_FALSE(flags.given("verbose"));
}

TEST(Flags, LastCommandLineValueWins) {
  auto flags = make_flags();
  Argv args{"prog", "--port", "1", "--port", "2"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get_int("port"), 2);
}

TEST(Flags, RepeatableAccumulatesFromCommandLine) {
  ScopedEnv env("FLAGSTEST_KAFKA_CONFIG", "ignored=1");
  auto flags = make_flags();
  Argv args{"prog", "--kafka-config", "a=1", "--kafka-config=b=2"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get_all("kafka-config"), (std::vector<std::string>{"a=1", "b=2"}));
}

TEST(Flags, RepeatableFallsBackToCommaSeparatedEnv) {
  ScopedEnv env("FLAGSTEST_KAFKA_CONFIG", "a=1, b=2,,c=3");
  auto flags = make_flags();
  Argv args{"prog"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get_all("kafka-config"), (std::vector<std::string>{"a=1", "b=2", "c=3"}));
}

TEST(Flags, SwitchFromEnvironmentAndExplicitFalse) {
  ScopedEnv env("FLAGSTEST_VERBOSE", "true");
  {
    auto flags = make_flags();
    Argv args{"prog"};
    ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
    EXPECT_TRUE(flags.get_switch("verbose"));
  }
  {
    auto flags = make_flags();
    Argv args{"prog", "--verbose=false"};
    ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
    EXPECT_FALSE(flags.get_switch("verbose"));
  }
}

TEST(Flags, HelpRequested) {
  for (const char* help : {"--help", "-h"}) {
    auto flags = make_flags();
    Argv args{"prog", help};
    ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
    EXPECT_TRUE(flags.help_requested()) << help;
  }
}

TEST(Flags, Errors) {
  {
    auto flags = make_flags();
    Argv args{"prog", "--no-such-flag", "x"};
    const auto error = flags.parse(args.argc(), args.argv());
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("no-such-flag"), std::string::npos) << *error;
  }
  {
    auto flags = make_flags();
    Argv args{"prog", "--port"};
    const auto error = flags.parse(args.argc(), args.argv());
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("port"), std::string::npos) << *error;
  }
  {
    auto flags = make_flags();
    Argv args{"prog", "--port", "--verbose"};  // the next flag is not a value
    EXPECT_TRUE(flags.parse(args.argc(), args.argv()));
  }
  {
    auto flags = make_flags();
    Argv args{"prog", "--verbose=maybe"};
    EXPECT_TRUE(flags.parse(args.argc(), args.argv()));
  }
  {
    auto flags = make_flags();
    Argv args{"prog", "stray"};
    const auto error = flags.parse(args.argc(), args.argv());
    ASSERT_TRUE(error);
    EXPECT_NE(error->find("stray"), std::string::npos) << *error;
  }
  {
    auto flags = make_flags();
    Argv args{"prog", "-x"};
    EXPECT_TRUE(flags.parse(args.argc(), args.argv()));
  }
}

TEST(Flags, PositionalWhenAllowed) {
  auto flags = make_flags();
  Argv args{"prog", "users", "list", "--port", "1", "--", "--not-a-flag"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv(), 1, true), std::nullopt);
  EXPECT_EQ(flags.positional(), (std::vector<std::string>{"users", "list", "--not-a-flag"}));
  EXPECT_EQ(flags.get_int("port"), 1);
}

TEST(Flags, ParseStartsAtFirst) {
  auto flags = make_flags();
  Argv args{"invitectl", "token", "--port", "5"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv(), 2), std::nullopt);
  EXPECT_EQ(flags.get_int("port"), 5);
}

// Values pasted into manifests or env files often carry stray blanks or a line end.
TEST(Flags, TypedValuesIgnoreSurroundingWhitespace) {
  ScopedEnv port("FLAGSTEST_PORT", " \t9000\r\n");
  ScopedEnv verbose("FLAGSTEST_VERBOSE", " Yes\n");
  auto flags = make_flags();
  Argv args{"prog", "--deadline", " 15s "};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get_int("port"), 9000);
  EXPECT_EQ(flags.get_duration("deadline"), 15s);
  EXPECT_TRUE(flags.get_switch("verbose"));
  EXPECT_EQ(flags.get("deadline"), " 15s ");  // the raw value is left as given
}

TEST(Flags, MalformedTypedValuesAreNullopt) {
  auto flags = make_flags();
  Argv args{"prog", "--port", "80x", "--deadline", "soon"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get_int("port"), std::nullopt);
  EXPECT_EQ(flags.get_duration("deadline"), std::nullopt);
}

TEST(Flags, UsageListsEveryFlagWithEnvTwinAndDefault) {
  const auto flags = make_flags();
  const std::string usage = flags.usage();
  EXPECT_NE(usage.find("invite-test"), std::string::npos);
  EXPECT_NE(usage.find("Test program."), std::string::npos);
  EXPECT_NE(usage.find("  --kafka-brokers <value>   (env FLAGSTEST_KAFKA_BROKERS, default: localhost:9092)  bootstrap servers\n"),
            std::string::npos)
      << usage;
  EXPECT_NE(usage.find("--port <value>"), std::string::npos);
  EXPECT_NE(usage.find("(env FLAGSTEST_PORT, default: 8080)  HTTP port"), std::string::npos) << usage;
  EXPECT_NE(usage.find("--verbose "), std::string::npos);
  EXPECT_EQ(usage.find("--verbose <value>"), std::string::npos);
  EXPECT_NE(usage.find("--help"), std::string::npos);
}

TEST(Flags, DefaultEnvPrefixIsInvite) {
  ScopedEnv env("INVITE_FLAGS_TEST_ONLY", "from-env");
  Flags flags("p", "s", {{"flags-test-only", "d", "h"}});
  Argv args{"p"};
  ASSERT_EQ(flags.parse(args.argc(), args.argv()), std::nullopt);
  EXPECT_EQ(flags.get("flags-test-only"), "from-env");
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
  for (const char* bad : {"", "s", "-5s", "10x", "1.5s", "10 s x", "ms10", "99999999999999999999d", "9223372036854775807d"}) {
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
