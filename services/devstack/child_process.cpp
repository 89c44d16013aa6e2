#include "child_process.hpp"

#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <map>
#include <thread>

extern char** environ;

namespace invite::devstack {
namespace {

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return status;
}

// Everything the child needs is prepared before fork: after fork only async-signal-safe calls are allowed
// (the parent has other threads, e.g. librdkafka's, whose locks the child would inherit mid-use).
struct ExecPlan {
  std::string program;
  std::vector<std::string> argv_storage;
  std::vector<std::string> env_storage;
  std::vector<char*> argv;
  std::vector<char*> envp;

  explicit ExecPlan(const ChildProcess::Options& options) : program(options.program.string()) {
    argv_storage.push_back(program);
    argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
    std::map<std::string, std::string> env;
    std::vector<std::string> order;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
      std::string entry(*e);
      const auto eq = entry.find('=');
      std::string name = entry.substr(0, eq);
      if (env.emplace(name, eq == std::string::npos ? "" : entry.substr(eq + 1)).second) order.push_back(name);
    }
    for (const auto& [name, value] : options.env) {
      if (!env.contains(name)) order.push_back(name);
      env[name] = value;
    }
    for (const auto& name : order) env_storage.push_back(name + "=" + env[name]);
    for (auto& a : argv_storage) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (auto& e : env_storage) envp.push_back(e.data());
    envp.push_back(nullptr);
  }
};

[[noreturn]] void child_fail(int report_fd, int error) {
  // A short write to a pipe of this size is atomic; nothing useful can be done if it fails.
  [[maybe_unused]] const ssize_t n = ::write(report_fd, &error, sizeof error);
  ::_exit(127);
}

[[noreturn]] void run_child(const ExecPlan& plan, const ChildProcess::Options& options, int output_fd, int report_fd,
                            pid_t parent) {
  // PR_SET_PDEATHSIG fires when the *thread* that forked exits; our callers spawn from their main thread.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) child_fail(report_fd, errno);
  if (::getppid() != parent) ::_exit(127);  // the parent died before prctl took effect
  if (options.new_process_group && ::setpgid(0, 0) != 0) child_fail(report_fd, errno);
  // Blocked signals and ignored dispositions survive exec: a parent that blocks SIGINT/SIGTERM (a test may) would
  // make the child deaf to stop().
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int signo = 1; signo < NSIG; ++signo) {
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    ::sigaction(signo, &action, nullptr);  // fails harmlessly for SIGKILL, SIGSTOP and unused numbers
  }
  if (output_fd >= 0) {
    if ((!options.inherit_stdout && ::dup2(output_fd, STDOUT_FILENO) < 0) || ::dup2(output_fd, STDERR_FILENO) < 0) {
      child_fail(report_fd, errno);
    }
  }
  // Descriptors the parent opened without O_CLOEXEC (sockets of libraries, the mock cluster's listeners) must
  // not leak into the child, where they would keep ports open after the parent is gone.
  if (::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
    const long max_fd = ::sysconf(_SC_OPEN_MAX);
    for (int fd = 3; fd < (max_fd > 0 && max_fd < 65536 ? max_fd : 65536); ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
  }
  ::execve(plan.program.c_str(), plan.argv.data(), plan.envp.data());
  child_fail(report_fd, errno);
}

}  // namespace

common::Result<ChildProcess> ChildProcess::spawn(const Options& options) {
  auto fail = [](const std::string& what, int err) { return common::fail(what + ": " + std::strerror(err)); };
  const ExecPlan plan(options);
  int output_fd = -1;
  if (options.stderr_file) {
    output_fd = ::open(options.stderr_file->c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (output_fd < 0) return fail("open " + options.stderr_file->string(), errno);
  }
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) {
    const int err = errno;
    if (output_fd >= 0) ::close(output_fd);
    return fail("pipe", err);
  }
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(report[0]);
    run_child(plan, options, output_fd, report[1], parent);
  }
  const int fork_errno = errno;
  ::close(report[1]);
  if (output_fd >= 0) ::close(output_fd);
  if (pid < 0) {
    ::close(report[0]);
    return fail("fork", fork_errno);
  }
  // The pipe closes without data when exec succeeds (O_CLOEXEC); otherwise the child sends errno and exits.
  int child_errno = 0;
  ssize_t n = 0;
  do {
    n = ::read(report[0], &child_errno, sizeof child_errno);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return fail("exec " + plan.program, child_errno);
  }
  return ChildProcess(pid);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.pid_), status_(other.status_) {
  other.pid_ = -1;
  other.status_.reset();
}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    if (pid_ > 0 && !status_) {
      ::kill(pid_, SIGKILL);
      wait_for(std::chrono::hours(1));
    }
    pid_ = other.pid_;
    status_ = other.status_;
    other.pid_ = -1;
    other.status_.reset();
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !status_) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
  }
}

bool ChildProcess::running() {
  if (pid_ <= 0 || status_) return false;
  int status = 0;
  pid_t r = 0;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == pid_) {
    status_ = decode_status(status);
    return false;
  }
  if (r < 0) {
    status_ = 128 + SIGKILL;  // not our child any more (reaped elsewhere): treat as gone
    return false;
  }
  return true;
}

void ChildProcess::signal(int signo) {
  if (running()) ::kill(pid_, signo);
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (running()) {
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return status_;
}

int ChildProcess::stop(std::chrono::milliseconds grace) {
  signal(SIGTERM);
  if (auto status = wait_for(grace)) return *status;
  signal(SIGKILL);
  if (auto status = wait_for(std::chrono::hours(1))) return *status;
  return 128 + SIGKILL;
}

}  // namespace invite::devstack
