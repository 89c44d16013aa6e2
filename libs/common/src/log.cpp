#include "invite/common/log.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>

#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"

namespace invite::common {
namespace {

std::mutex g_mu;  // guards g_service and serialises writes to stderr
std::string g_service = "invite";
std::atomic<int> g_min_level{static_cast<int>(LogLevel::Info)};

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::Debug:
      return "debug";
    case LogLevel::Info:
      return "info";
    case LogLevel::Warn:
      return "warn";
    case LogLevel::Error:
      return "error";
  }
  return "info";
}

bool is_reserved(std::string_view key) { return key == "ts" || key == "level" || key == "service" || key == "msg"; }

}  // namespace

void log_init(std::string service, LogLevel min_level) {
  std::lock_guard lock(g_mu);
  g_service = std::move(service);
  g_min_level.store(static_cast<int>(min_level), std::memory_order_relaxed);
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  const std::string lower = ascii_lower(name);
  if (lower == "debug") return LogLevel::Debug;
  if (lower == "info") return LogLevel::Info;
  if (lower == "warn" || lower == "warning") return LogLevel::Warn;
  if (lower == "error") return LogLevel::Error;
  return std::nullopt;
}

void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields) {
  if (static_cast<int>(level) < g_min_level.load(std::memory_order_relaxed)) return;

  // ordered_json keeps ts/level/service/msg first, which is what people scan for when reading raw lines.
  nlohmann::ordered_json line;
  line["ts"] = rfc3339_utc(now_ms());
  line["level"] = level_name(level);
  line["service"] = nullptr;  // filled under the lock below, keeps its position
  line["msg"] = msg;
  for (const auto& [key, value] : fields) {
    // A field must never overwrite the envelope, or log queries on e.g. "level" would lie.
    std::string name = is_reserved(key) ? "field_" + std::string(key) : std::string(key);
    std::visit([&](const auto& v) { line[name] = v; }, value);
  }

  std::lock_guard lock(g_mu);
  line["service"] = g_service;
  // Field values come from requests (e-mails, hosts): invalid UTF-8 is replaced instead of throwing.
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  text.push_back('\n');
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

}  // namespace invite::common
