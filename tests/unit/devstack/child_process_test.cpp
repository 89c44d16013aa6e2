#include "child_process.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <stdexcept>
#include <thread>

#include "invite/common/files.hpp"
#include "support/temp_dir.hpp"

namespace invite::devstack {
using common::read_file;
namespace {

using namespace std::chrono_literals;

ChildProcess spawn_shell(const std::string& script, ChildProcess::Options options = {}) {
  options.program = "/bin/sh";
  options.args = {"-c", script};
  auto child = ChildProcess::spawn(options);
  if (!child) throw std::runtime_error("spawn: " + child.error().message);
  return std::move(*child);
}

TEST(ChildProcess, ExecFailureIsAnErrorNotAChildThatExits) {
  ChildProcess::Options options;
  options.program = "/nonexistent/invite-gateway";
  auto child = ChildProcess::spawn(options);
  ASSERT_FALSE(child.has_value());
  EXPECT_NE(child.error().message.find("/nonexistent/invite-gateway"), std::string::npos) << child.error().message;
}

TEST(ChildProcess, ReportsExitStatusAndSignals) {
  auto exits = spawn_shell("exit 3");
  EXPECT_EQ(exits.wait_for(10s), 3);
  EXPECT_FALSE(exits.running());

  auto killed = spawn_shell("kill -KILL $$");
  EXPECT_EQ(killed.wait_for(10s), 128 + SIGKILL);
}

TEST(ChildProcess, PassesArgumentsAndEnvironmentAndWritesTheOutputFile) {
  invite::testing::TempDir dir;
  const auto log = dir.path() / "child.log";
  ChildProcess::Options options;
  options.env = {{"INVITE_PROCESS_TEST", "hello"}};
  options.stderr_file = log;
  auto child = spawn_shell("echo \"$INVITE_PROCESS_TEST $0\"; echo err >&2", options);
  ASSERT_EQ(child.wait_for(10s), 0);
  EXPECT_EQ(read_file(log).value(), "hello /bin/sh\nerr\n");
}

TEST(ChildProcess, InheritStdoutKeepsOnlyStdoutWithTheParent) {
  invite::testing::TempDir dir;
  const auto log = dir.path() / "child.log";
  const auto terminal = dir.path() / "terminal";
  // Our own stdout, pointed at a file for the child's lifetime, stands for the devstack's terminal.
  const int saved = ::dup(STDOUT_FILENO);
  ASSERT_GE(saved, 0);
  const int file = ::open(terminal.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(file, 0);
  std::fflush(stdout);
  ASSERT_GE(::dup2(file, STDOUT_FILENO), 0);
  ::close(file);
  ChildProcess::Options options;
  options.stderr_file = log;
  options.inherit_stdout = true;
  std::optional<int> status;
  {
    auto child = spawn_shell("echo for-the-terminal; echo for-the-log >&2", options);
    status = child.wait_for(10s);
  }
  ::dup2(saved, STDOUT_FILENO);
  ::close(saved);
  EXPECT_EQ(status, 0);
  EXPECT_EQ(read_file(terminal).value(), "for-the-terminal\n");
  EXPECT_EQ(read_file(log).value(), "for-the-log\n");
}

// The services block SIGTERM in every thread; a child must not inherit that, or stop() could only kill it.
TEST(ChildProcess, StopEndsAChildWithSigtermEvenWhenTheParentBlocksIt) {
  sigset_t term;
  sigemptyset(&term);
  sigaddset(&term, SIGTERM);
  sigset_t previous;
  ASSERT_EQ(pthread_sigmask(SIG_BLOCK, &term, &previous), 0);
  auto child = spawn_shell("exec sleep 30");
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  EXPECT_TRUE(child.running());
  EXPECT_EQ(child.stop(5s), 128 + SIGTERM);
}

TEST(ChildProcess, StopKillsAChildThatIgnoresSigterm) {
  auto child = spawn_shell("trap '' TERM; while :; do sleep 0.05; done");
  std::this_thread::sleep_for(200ms);  // let the shell install its trap
  EXPECT_EQ(child.stop(300ms), 128 + SIGKILL);
}

}  // namespace
}  // namespace invite::devstack
