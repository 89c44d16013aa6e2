#pragma once
// invite-gateway's settings: its command line and environment twins, checked once; and the HTTP server options
// they make.
#include <chrono>
#include <cstdint>
#include <string>
#include <variant>

#include "invite/common/log.hpp"
#include "invite/http/server.hpp"
#include "invite/runtime/shared_flags.hpp"

namespace invite::gateway {

struct Settings {
  runtime::Listener listener;
  int threads = 2;
  runtime::KafkaSettings kafka;
  std::string portals_file;
  std::string token_secret_file;
  std::int32_t reply_partition = 0;  // --reply-partition, or the ordinal of --pod-name
  std::chrono::milliseconds request_timeout{};
  std::chrono::milliseconds delivery_timeout{};  // shorter than request_timeout
  std::size_t max_in_flight = 0;
  std::size_t max_invitations = 0;
  std::size_t max_body_bytes = 0;
  std::size_t max_header_bytes = 0;
  std::size_t max_queued_records = 0;
  std::size_t hash_threads = 0;       // accepts' password hashes running at once (64 MiB each)
  std::size_t max_queued_hashes = 0;  // hashes waiting or running before accepts get 503
  std::chrono::milliseconds read_timeout{};
  std::chrono::milliseconds idle_timeout{};
  common::LogLevel log_level = common::LogLevel::Info;
};

// The settings, or main's exit code (0 after --help, 2 after a bad command line).
runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv);

// The HTTP server's options, with the envelopes of the answers the server gives itself (413, 431, 501, ...).
http::ServerOptions server_options(const Settings& settings);

}  // namespace invite::gateway
