// invite-devstack: the whole service on one machine. An in-process Kafka (librdkafka's mock cluster) or a real
// one, the topics, generated secrets and portals file, and the gateway, worker and mailer as child processes.
#include "invite/common/log.hpp"
#include "invite/runtime/termination.hpp"
#include "settings.hpp"
#include "supervisor.hpp"

int main(int argc, char** argv) {
  using namespace invite;
  auto settings = devstack::read_settings(argc, argv);
  if (!settings) return settings.error().value;
  auto& s = *settings;
  common::log_init("invite-devstack", s.log_level);

  // After the settings: their unsetenv wants no other thread yet.
  runtime::TerminationSignals signals;
  devstack::StopFlag stop;
  signals.on_signal([&stop](int signo) { stop.set(signo); });
  return devstack::run_devstack(std::move(s), stop);
}
