#pragma once
// invite-devstack's settings: its command line and environment twins, checked once.
#include <filesystem>
#include <string>
#include <variant>

#include "invite/common/log.hpp"
#include "invite/runtime/shared_flags.hpp"

namespace invite::devstack {

struct Settings {
  std::filesystem::path data_dir;  // absolute
  unsigned short port = 0;         // 0: the devstack picks a free one
  std::string listen_address;
  runtime::KafkaSettings kafka;  // brokers empty: embedded cluster; config goes to the children
  int partitions = 4;
  int replication_factor = 1;  // real cluster only, for the topics it creates
  int min_insync_replicas = 1;
  std::string portal;
  std::filesystem::path bin_dir;
  common::LogLevel log_level = common::LogLevel::Info;
  std::string log_level_name;  // as given, for the children's command lines
  bool mailer = true;
};

// The settings, or main's exit code (0 after --help, 2 after a bad command line). Also removes the devstack's own
// INVITE_* twins from the environment, which the children would read as theirs; call before any thread exists.
runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv);

}  // namespace invite::devstack
