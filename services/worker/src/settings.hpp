#pragma once
// invite-worker's settings: its command line and environment twins, checked once.
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "invite/common/log.hpp"
#include "invite/runtime/shared_flags.hpp"

namespace invite::worker {

struct Settings {
  runtime::KafkaSettings kafka;
  std::string data_dir;
  std::string portals_file;
  std::string link_secret_file;
  std::vector<std::int32_t> partitions;  // empty: all
  int replica_count = 1;
  int replica_index = 0;  // --replica-index, or the ordinal of --pod-name
  std::string group_id;
  std::chrono::milliseconds delivery_timeout{};
  std::chrono::milliseconds topic_wait{};
  std::chrono::milliseconds retention{};
  runtime::Listener ops;
  common::LogLevel log_level = common::LogLevel::Info;
};

// The settings, or main's exit code (0 after --help, 2 after a bad command line).
runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv);

}  // namespace invite::worker
