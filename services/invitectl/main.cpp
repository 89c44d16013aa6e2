// invitectl: operator tool. Issues session tokens, inspects / edits the users of a worker's data directory and
// creates the service's Kafka topics.
// Exit codes: 0 success, 1 the operation failed (e.g. user not found, unreadable store, brokers unreachable, a topic
// with too few partitions), 2 usage error.
#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "invite/auth/token.hpp"
#include "invite/common/files.hpp"
#include "invite/common/flags.hpp"
#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"
#include "invite/events/topics.hpp"
#include "invite/domain/types.hpp"
#include "invite/domain/validation.hpp"
#include "invite/kafka/client.hpp"
#include "invite/store/partition_store.hpp"

namespace {

using invite::common::FlagSpec;
using invite::common::Flags;
using invite::domain::User;
using invite::store::PartitionStore;

constexpr int kOk = 0;
constexpr int kFailed = 1;
constexpr int kUsage = 2;

constexpr const char* kTopUsage =
    "Usage: invitectl <command> [flags]\n"
    "\n"
    "Operator tool of the invite service.\n"
    "\n"
    "Commands:\n"
    "  token          issue a session token (JWT) for a portal user\n"
    "  users          list the users stored in a worker's data directory\n"
    "  users disable  mark a user Terminated (requests inviting that e-mail are then rejected)\n"
    "  topics         create the service's missing Kafka topics and list them\n"
    "\n"
    "Run `invitectl <command> --help` for the command's flags. Every flag has an environment twin:\n"
    "--data-dir is also read from INVITE_DATA_DIR, and so on.\n";

// Host names compare case-insensitively; the services store and match them lower-cased.
using invite::common::ascii_lower;

// Parses a subcommand's flags (argv from `first`) and checks that every `required` one has a value. Returns an exit
// code when the command should stop here: help shown, a bad flag, or a missing one (named first in `required`
// order).
std::optional<int> parse_flags(Flags& flags, int argc, char** argv, int first,
                               std::initializer_list<const char*> required) {
  if (auto error = flags.parse(argc, argv, first)) {
    std::cerr << "invitectl: " << *error << "\n\n" << flags.usage();
    return kUsage;
  }
  if (flags.help_requested()) {
    std::cout << flags.usage();
    return kOk;
  }
  for (const char* name : required) {
    if (flags.get(name).empty()) {
      std::cerr << "invitectl: --" << name << " is required\n\n" << flags.usage();
      return kUsage;
    }
  }
  return std::nullopt;
}

int cmd_token(int argc, char** argv) {
  Flags flags("invitectl token",
              "Prints a session token (HS256 JWT) for the given portal and role, signed with the gateway's secret.",
              {
                  {"portal", "", "portal host the token is valid for (required)"},
                  {"role", "", "Owner, DocSpaceAdmin, RoomAdmin, User or Guest (required)"},
                  {"user-id", "", "the caller's user id (uuid); a new random one when empty"},
                  {"ttl", "24h", "lifetime, e.g. 15m, 24h, 7d"},
                  {"secret-file", "", "file holding the gateway's token secret (required unless --token-secret-file)"},
                  // The gateway's own flag name, so INVITE_TOKEN_SECRET_FILE set for a gateway works here too.
                  {"token-secret-file", "", "same as --secret-file; used when --secret-file is empty"},
              });
  if (auto code = parse_flags(flags, argc, argv, 2, {"portal", "role"})) return *code;

  std::string secret_file = flags.get("secret-file");
  if (secret_file.empty()) secret_file = flags.get("token-secret-file");
  if (secret_file.empty()) {
    std::cerr << "invitectl: --secret-file is required\n\n" << flags.usage();
    return kUsage;
  }

  const auto role = invite::domain::role_from_name(flags.get("role"));
  if (!role) {
    std::cerr << "invitectl: unknown role '" << flags.get("role")
              << "' (one of Owner, DocSpaceAdmin, RoomAdmin, User, Guest)\n";
    return kUsage;
  }
  std::string user_id = flags.get("user-id");
  if (user_id.empty()) {
    user_id = invite::common::new_uuid();
  } else if (!invite::common::is_uuid(user_id)) {
    std::cerr << "invitectl: --user-id must be a uuid, got '" << user_id << "'\n";
    return kUsage;
  }
  const auto ttl = invite::common::parse_duration(flags.get("ttl"));
  // Token times have whole-second precision: anything shorter would be expired on arrival.
  if (!ttl || *ttl < std::chrono::seconds(1)) {
    std::cerr << "invitectl: --ttl must be a duration of at least 1s (e.g. 15m, 24h), got '" << flags.get("ttl")
              << "'\n";
    return kUsage;
  }
  std::string error;
  const auto secret = invite::common::read_secret(secret_file, &error);
  if (!secret) {
    std::cerr << "invitectl: cannot read token secret: " << error << "\n";
    return kUsage;
  }

  invite::auth::Claims claims;
  claims.user_id = ascii_lower(user_id);
  claims.portal = ascii_lower(flags.get("portal"));
  claims.role = *role;
  claims.issued_at = invite::common::now_ms() / 1000;
  claims.expires_at = claims.issued_at + std::chrono::duration_cast<std::chrono::seconds>(*ttl).count();
  std::cout << invite::auth::issue_token(claims, *secret) << "\n";
  return kOk;
}

std::string_view status_name(invite::domain::EmployeeStatus status) {
  switch (status) {
    case invite::domain::EmployeeStatus::Active: return "Active";
    case invite::domain::EmployeeStatus::Terminated: return "Terminated";
    case invite::domain::EmployeeStatus::Pending: return "Pending";
  }
  return "Unknown";  // a value written by a newer build
}

std::string_view activation_name(invite::domain::ActivationStatus status) {
  switch (status) {
    case invite::domain::ActivationStatus::NotActivated: return "NotActivated";
    case invite::domain::ActivationStatus::Activated: return "Activated";
    case invite::domain::ActivationStatus::Pending: return "Pending";
    case invite::domain::ActivationStatus::AutoGenerated: return "AutoGenerated";
  }
  return "Unknown";
}

// Opens every partition file of the data directory; on failure prints why and returns nothing, so that an
// operator never mistakes a partial view for the whole directory.
std::optional<std::vector<std::unique_ptr<PartitionStore>>> open_all(const std::string& data_dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(data_dir, ec)) {
    std::cerr << "invitectl: data directory " << data_dir << " does not exist\n";
    return std::nullopt;
  }
  std::vector<std::unique_ptr<PartitionStore>> stores;
  for (const auto& [partition, file] : PartitionStore::list(data_dir)) {
    auto opened = PartitionStore::open(file);
    if (auto* error = std::get_if<std::string>(&opened)) {
      std::cerr << "invitectl: cannot open partition " << partition << ": " << *error << "\n";
      return std::nullopt;
    }
    stores.push_back(std::move(std::get<std::unique_ptr<PartitionStore>>(opened)));
  }
  return stores;
}

void print_table(const std::vector<User>& users) {
  const std::vector<std::string> header = {"EMAIL", "PORTAL", "TYPE", "STATUS", "ACTIVATION", "ID", "CREATED"};
  std::vector<std::vector<std::string>> rows;
  rows.push_back(header);
  for (const auto& u : users) {
    rows.push_back({u.email, u.portal, std::string(invite::domain::to_string(u.type)),
                    std::string(status_name(u.status)), std::string(activation_name(u.activation_status)), u.id,
                    invite::common::rfc3339_utc(u.created_at_ms)});
  }
  std::vector<std::size_t> widths(header.size(), 0);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

void print_json(const std::vector<User>& users) {
  // Same field names and encodings as the user objects of invite.replies.v1, plus the portal.
  auto array = nlohmann::ordered_json::array();
  for (const auto& u : users) {
    array.push_back({
        {"id", u.id},
        {"email", u.email},
        {"firstName", u.first_name},
        {"lastName", u.last_name},
        {"userName", u.user_name},
        {"type", invite::domain::to_string(u.type)},
        {"activationStatus", static_cast<int>(u.activation_status)},
        {"status", static_cast<int>(u.status)},
        {"culture", u.culture},
        {"createdBy", u.created_by},
        {"createdAt", invite::common::rfc3339_utc(u.created_at_ms)},
        {"portal", u.portal},
    });
  }
  std::cout << array.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

int cmd_users_list(int argc, char** argv) {
  Flags flags("invitectl users",
              "Lists the users of every partition file in a worker's data directory.\n"
              "See `invitectl users disable --help` to terminate a user.",
              {
                  {"data-dir", "", "the worker's data directory (required)"},
                  {"portal", "", "only this portal's users"},
                  {"json", "", "print a JSON array instead of a table", false, true},
              });
  if (auto code = parse_flags(flags, argc, argv, 2, {"data-dir"})) return *code;

  auto stores = open_all(flags.get("data-dir"));
  if (!stores) return kFailed;
  const std::string portal = ascii_lower(flags.get("portal"));
  std::vector<User> users;
  try {
    for (auto& store : *stores) {
      auto part = portal.empty() ? store->users(std::nullopt) : store->users(std::string_view(portal));
      users.insert(users.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
    }
  } catch (const std::exception& e) {
    std::cerr << "invitectl: reading users failed: " << e.what() << "\n";
    return kFailed;
  }
  // Each file is sorted; a portal normally lives in one partition, but keep the order global anyway.
  std::stable_sort(users.begin(), users.end(), [](const User& a, const User& b) {
    if (a.portal != b.portal) return a.portal < b.portal;
    return invite::domain::normalize_email(a.email) < invite::domain::normalize_email(b.email);
  });

  if (flags.get_switch("json")) {
    print_json(users);
  } else {
    print_table(users);
  }
  return kOk;
}

int cmd_users_disable(int argc, char** argv) {
  Flags flags("invitectl users disable",
              "Marks a user Terminated. Safe while the worker runs: SQLite's locking serialises the write with the "
              "worker's transactions.",
              {
                  {"data-dir", "", "the worker's data directory (required)"},
                  {"portal", "", "the user's portal host (required)"},
                  {"email", "", "the user's e-mail, any case (required)"},
              });
  if (auto code = parse_flags(flags, argc, argv, 3, {"data-dir", "portal", "email"})) return *code;

  auto stores = open_all(flags.get("data-dir"));
  if (!stores) return kFailed;
  const std::string portal = ascii_lower(flags.get("portal"));
  const std::string email = flags.get("email");
  bool found = false;
  try {
    // Every file, not just the first hit: after a change of the partition count a portal may have users in two.
    for (auto& store : *stores) found = store->disable_user(portal, email) || found;
  } catch (const std::exception& e) {
    std::cerr << "invitectl: " << e.what() << "\n";
    return kFailed;
  }
  if (!found) {
    std::cerr << "invitectl: no user " << email << " on portal " << portal << "\n";
    return kFailed;
  }
  std::cout << "disabled " << email << "\n";
  return kOk;
}

// A whole number flag within [low, high]; prints a one-line error when it is not.
std::optional<int> int_flag(const Flags& flags, const char* name, int low, int high) {
  const auto value = flags.get_int(name);
  if (!value || *value < low || *value > high) {
    std::cerr << "invitectl: --" << name << " must be a number in " << low << ".." << high << ", got '"
              << flags.get(name) << "'\n";
    return std::nullopt;
  }
  return static_cast<int>(*value);
}

void print_rows(const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()), 0);
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t i = 0; i < row.size(); ++i) {
      line += row[i];
      if (i + 1 < row.size()) line += std::string(widths[i] - row[i].size() + 2, ' ');
    }
    std::cout << line << "\n";
  }
}

int cmd_topics(int argc, char** argv) {
  Flags flags("invitectl topics",
              "Creates the service's topics that the cluster lacks (with the retention of deploy/k8s/topics) and lists "
              "all of them. Existing topics are never changed: one with fewer partitions than --partitions is "
              "reported and the command exits 1. Safe to run again, and while the services run.",
              {
                  // The services' own flag names, so INVITE_KAFKA_BROKERS / INVITE_KAFKA_CONFIG of a service work here.
                  {"kafka-brokers", "", "bootstrap servers of the cluster (required)"},
                  {"kafka-config", "", "librdkafka property key=value (TLS, SASL, ...)", true},
                  {"partitions", "4", "partitions of each topic to create (the dead-letter topic gets 1); "
                                      "invite.replies.v1 needs one per gateway"},
                  {"replication-factor", "1", "replicas of each topic to create (production: 3)"},
                  {"min-insync-replicas", "1", "min.insync.replicas of each topic to create (production: 2)"},
                  {"timeout", "15s", "give up after this (brokers unreachable, topics without leaders)"},
              });
  if (auto code = parse_flags(flags, argc, argv, 2, {"kafka-brokers"})) return *code;

  const auto partitions = int_flag(flags, "partitions", 1, 10000);
  if (!partitions) return kUsage;
  const auto replicas = int_flag(flags, "replication-factor", 1, 100);
  if (!replicas) return kUsage;
  const auto min_isr = flags.get_int("min-insync-replicas");
  if (!min_isr || *min_isr < 1 || *min_isr > *replicas) {
    std::cerr << "invitectl: --min-insync-replicas must be in 1..--replication-factor (" << *replicas << "), got '"
              << flags.get("min-insync-replicas") << "'\n";
    return kUsage;
  }
  const auto timeout = invite::common::parse_duration(flags.get("timeout"));
  if (!timeout || *timeout < std::chrono::seconds(1)) {
    std::cerr << "invitectl: --timeout must be a duration of at least 1s (e.g. 15s), got '" << flags.get("timeout")
              << "'\n";
    return kUsage;
  }
  invite::kafka::Properties extra;
  for (const std::string& entry : flags.get_all("kafka-config")) {
    auto pair = invite::common::parse_key_value(entry);
    if (!pair) {
      std::cerr << "invitectl: --kafka-config expects key=value, got '" << entry << "'\n";
      return kUsage;
    }
    extra.push_back(std::move(*pair));
  }

  std::vector<invite::kafka::TopicSpec> specs;
  for (auto& plan : invite::events::topic_plan(*partitions, *replicas, static_cast<int>(*min_isr))) {
    specs.push_back({std::move(plan.name), plan.partitions, plan.replication_factor, std::move(plan.config)});
  }
  auto ensured = invite::kafka::ensure_topics(flags.get("kafka-brokers"), extra, specs, *timeout);
  if (auto* error = std::get_if<std::string>(&ensured)) {
    std::cerr << "invitectl: " << *error << "\n";
    return kFailed;
  }
  std::vector<std::vector<std::string>> rows = {{"TOPIC", "PARTITIONS", "REPLICAS", "STATUS"}};
  std::string too_few;
  for (const auto& topic : std::get<std::vector<invite::kafka::TopicState>>(ensured)) {
    std::string status = topic.created ? "created" : "exists";
    if (topic.too_few_partitions) {
      status = "too few partitions (wanted " + std::to_string(topic.wanted_partitions) + ")";
      too_few += (too_few.empty() ? "" : ", ") + topic.name + " has " + std::to_string(topic.partitions);
    }
    rows.push_back({topic.name, std::to_string(topic.partitions), std::to_string(topic.replication_factor), status});
  }
  print_rows(rows);
  if (!too_few.empty()) {
    // Partitions can only be added, and adding them to invite.requested.v1 moves portals between the workers'
    // SQLite files (deploy/README.md): an operator decides that, not this tool.
    std::cerr << "invitectl: fewer partitions than --partitions " << *partitions << " (left unchanged): " << too_few
              << "\n";
    return kFailed;
  }
  return kOk;
}

bool is_help(std::string_view arg) { return arg == "--help" || arg == "-h" || arg == "help"; }

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kTopUsage;
    return kUsage;
  }
  const std::string_view command = argv[1];
  if (is_help(command)) {
    std::cout << kTopUsage;
    return kOk;
  }
  if (command == "token") return cmd_token(argc, argv);
  if (command == "topics") return cmd_topics(argc, argv);
  if (command == "users") {
    if (argc > 2 && std::string_view(argv[2]) == "disable") return cmd_users_disable(argc, argv);
    return cmd_users_list(argc, argv);
  }
  std::cerr << "invitectl: unknown command '" << command << "'\n\n" << kTopUsage;
  return kUsage;
}
