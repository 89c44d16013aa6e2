#pragma once
// invitectl's commands. Each has its options (flags with environment twins, checked while parsing), a function
// that declares them on its subcommand, and one that runs it. Exit codes: 0 success, 1 the operation failed (user
// not found, unreadable store, brokers unreachable, a topic with too few partitions), 2 usage error.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "invite/runtime/cli.hpp"
#include "invite/runtime/shared_flags.hpp"

namespace invite::invitectl {

inline constexpr int kOk = 0;
inline constexpr int kFailed = 1;
inline constexpr int kUsage = 2;

// Rows as left-aligned columns two spaces apart, the first row being the header: what an operator reads and
// `column -t` would print.
void print_columns(const std::vector<std::vector<std::string>>& rows);

struct TokenOptions {
  std::string portal, role, user_id, secret_file, token_secret_file;
  std::chrono::milliseconds ttl{};
};
void add_token_flags(runtime::Cli& cli, TokenOptions& options);
int run_token(const runtime::Cli& cli, const TokenOptions& options);

struct UsersOptions {
  std::string data_dir, portal;
  bool json = false;
};
void add_users_flags(runtime::Cli& cli, UsersOptions& options);
int run_users(const UsersOptions& options);

struct DisableOptions {
  std::string data_dir, portal, email;
};
void add_disable_flags(runtime::Cli& cli, DisableOptions& options);
int run_disable(const DisableOptions& options);

struct TopicsOptions {
  runtime::KafkaSettings kafka;
  std::int64_t partitions = 0, replication_factor = 0, min_insync_replicas = 0;
  std::chrono::milliseconds timeout{};
};
void add_topics_flags(runtime::Cli& cli, TopicsOptions& options);
int run_topics(const runtime::Cli& cli, const TopicsOptions& options);

}  // namespace invite::invitectl
