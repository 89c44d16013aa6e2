#include "invite/common/signals.hpp"

#include <csignal>
#include <pthread.h>
#include <unistd.h>

namespace invite::common {
namespace {

sigset_t termination_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void block_termination_signals() {
  const sigset_t set = termination_set();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

std::thread on_termination_signal(std::function<void(int)> on_signal) {
  return std::thread([on_signal = std::move(on_signal)] {
    const sigset_t set = termination_set();
    int signo = 0;
    while (sigwait(&set, &signo) != 0) {
    }
    on_signal(signo);
  });
}

void request_termination() { kill(getpid(), SIGTERM); }

}  // namespace invite::common
