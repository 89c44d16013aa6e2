// invitectl: operator tool. Issues session tokens, inspects / edits the users of a worker's data directory and
// creates the service's Kafka topics. One CLI11 subcommand per command (commands.hpp); exit codes there.
#include <string_view>

#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace invite;
  using namespace invite::invitectl;
  runtime::Cli cli("invitectl",
                   "Operator tool of the invite service. Run `invitectl <command> --help` for the command's flags. "
                   "Every flag has an environment twin: --data-dir is also read from INVITE_DATA_DIR, and so on.");
  TokenOptions token;
  auto& token_cli = cli.command("token", "issue a session token (JWT) for a portal user");
  add_token_flags(token_cli, token);
  UsersOptions users;
  auto& users_cli = cli.command("users",
                                "list the users stored in a worker's data directory; "
                                "see `invitectl users disable --help` to terminate a user");
  add_users_flags(users_cli, users);
  DisableOptions disable;
  auto& disable_cli = users_cli.command("disable",
                                        "mark a user Terminated (requests inviting that e-mail are then "
                                        "rejected); safe while the worker runs: SQLite's locking "
                                        "serialises the write with the worker's transactions");
  add_disable_flags(disable_cli, disable);
  TopicsOptions topics;
  auto& topics_cli = cli.command("topics",
                                 "create the service's missing Kafka topics and list them; existing "
                                 "topics are never changed: one with fewer partitions than --partitions "
                                 "is reported and the command exits 1");
  add_topics_flags(topics_cli, topics);
  cli.one_line_usage_errors();

  if (argc == 2 && std::string_view(argv[1]) == "help") argv[1] = const_cast<char*>("--help");
  if (auto exit_code = cli.parse(argc, argv)) return *exit_code;
  if (auto exit_code = cli.check_required()) return *exit_code;
  if (disable_cli.chosen()) return run_disable(disable);
  if (users_cli.chosen()) return run_users(users);
  if (token_cli.chosen()) return run_token(token_cli, token);
  if (topics_cli.chosen()) return run_topics(topics_cli, topics);
  return cli.usage_error("a command is required");
}
