#pragma once
// Child processes for the devstack and the integration tests: spawn with arguments and extra environment,
// signal, wait with a timeout. POSIX only.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "invite/common/result.hpp"

namespace invite::devstack {

class ChildProcess {
 public:
  struct Options {
    std::filesystem::path program;
    std::vector<std::string> args;                         // without argv[0]
    std::vector<std::pair<std::string, std::string>> env;  // added to (or replacing in) the parent's environment
    std::optional<std::filesystem::path> stderr_file;      // append stderr (and stdout) there; else inherit
    bool inherit_stdout = false;     // with stderr_file: stdout stays the parent's (lines meant for its terminal)
    bool new_process_group = false;  // true: Ctrl-C in a terminal reaches only the parent, which stops children itself
  };

  // An error when fork/exec fails (exec failure is reported, not a silent exit of the child): "exec <program>: No
  // such file or directory". The child is killed when the *thread* that spawned it ends (PR_SET_PDEATHSIG follows
  // the forking thread), so spawn from a thread that lives as long as the child should, such as main's.
  static common::Result<ChildProcess> spawn(const Options& options);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  // Kills (SIGKILL) and reaps a child that is still running, so no test or devstack leaves orphans.
  ~ChildProcess();

  int pid() const { return pid_; }
  bool running();          // reaps if it has exited
  void signal(int signo);  // no-op once exited
  // Waits up to timeout; returns the exit status (128+signal when killed by a signal), nullopt if still running.
  std::optional<int> wait_for(std::chrono::milliseconds timeout);
  // SIGTERM, wait up to grace, then SIGKILL; returns the exit status.
  int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));

 private:
  explicit ChildProcess(int pid) : pid_(pid) {}
  int pid_ = -1;
  std::optional<int> status_;
};

}  // namespace invite::devstack
