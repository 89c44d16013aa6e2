#include "invite/common/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "invite/common/ids.hpp"

namespace fs = std::filesystem;
using namespace invite::common;

namespace {

// Redirects the process's stderr into a file for the lifetime of the object.
class CaptureStderr {
 public:
  CaptureStderr() {
    dir_ = fs::temp_directory_path() / ("invite-log-test-" + random_hex(8));
    fs::create_directories(dir_);
    path_ = dir_ / "stderr.txt";
    std::fflush(stderr);
    saved_ = ::dup(2);
    FILE* f = std::fopen(path_.c_str(), "w");
    ::dup2(::fileno(f), 2);
    std::fclose(f);
  }
  ~CaptureStderr() {
    restore();
    fs::remove_all(dir_);
  }
  std::vector<std::string> lines() {
    restore();
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

 private:
  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, 2);
    ::close(saved_);
    saved_ = -1;
  }
  fs::path dir_, path_;
  int saved_ = -1;
};

}  // namespace

TEST(Log, OneJsonObjectPerLineWithEnvelopeFirst) {
  log_init("invite-test", LogLevel::Info);
  CaptureStderr capture;
  const auto before = now_ms();
  log_info("listening",
           {{"port", std::int64_t{8080}}, {"host", std::string("0.0.0.0")}, {"tls", false}, {"ratio", 0.5}});
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines[0].starts_with(R"({"ts":")")) << lines[0];
  EXPECT_NE(lines[0].find(R"("level":"info","service":"invite-test","msg":"listening","port":8080)"), std::string::npos)
      << lines[0];

  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["host"], "0.0.0.0");
  EXPECT_EQ(j["tls"], false);
  EXPECT_EQ(j["ratio"], 0.5);
  const auto ts = parse_rfc3339(j["ts"].get<std::string>());
  ASSERT_TRUE(ts);
  EXPECT_GE(*ts, before);
  EXPECT_LE(*ts, now_ms());
  EXPECT_TRUE(j["ts"].get<std::string>().ends_with("Z"));
}

TEST(Log, MinimumLevelFilters) {
  log_init("invite-test", LogLevel::Warn);
  CaptureStderr capture;
  log_debug("d");
  log_info("i");
  log_warn("w");
  log_error("e");
  const auto lines = capture.lines();
  log_init("invite-test", LogLevel::Info);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(lines[0])["level"], "warn");
  EXPECT_EQ(nlohmann::json::parse(lines[1])["level"], "error");
}

TEST(Log, FieldsCannotOverwriteTheEnvelope) {
  log_init("invite-test", LogLevel::Info);
  CaptureStderr capture;
  log_info("real message", {{"msg", std::string("fake")}, {"level", std::string("error")}});
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto j = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(j["msg"], "real message");
  EXPECT_EQ(j["level"], "info");
  EXPECT_EQ(j["field_msg"], "fake");
}

TEST(Log, InvalidUtf8DoesNotThrowOrBreakTheLine) {
  log_init("invite-test", LogLevel::Info);
  CaptureStderr capture;
  EXPECT_NO_THROW(log_warn("bad input", {{"email", std::string("a\xff@b.com")}}));
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(nlohmann::json::accept(lines[0])) << lines[0];
}

TEST(Log, ConcurrentLinesNeverInterleave) {
  log_init("invite-test", LogLevel::Info);
  CaptureStderr capture;
  constexpr int kThreads = 4, kLines = 200;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kLines; ++i) log_info("tick", {{"thread", std::int64_t{t}}, {"i", std::int64_t{i}}});
    });
  }
  for (auto& th : threads) th.join();
  const auto lines = capture.lines();
  ASSERT_EQ(lines.size(), static_cast<std::size_t>(kThreads * kLines));
  for (const auto& line : lines) ASSERT_TRUE(nlohmann::json::accept(line)) << line;
}

TEST(Log, ParseLevel) {
  EXPECT_EQ(parse_log_level("debug"), LogLevel::Debug);
  EXPECT_EQ(parse_log_level("INFO"), LogLevel::Info);
  EXPECT_EQ(parse_log_level("warn"), LogLevel::Warn);
  EXPECT_EQ(parse_log_level("warning"), LogLevel::Warn);
  EXPECT_EQ(parse_log_level("error"), LogLevel::Error);
  EXPECT_EQ(parse_log_level("loud"), std::nullopt);
}
