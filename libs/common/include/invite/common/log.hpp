#pragma once
// Structured logs: one JSON object per line on stderr, e.g.
// {"ts":"2026-11-26T11:00:00.123Z","level":"info","service":"invite-gateway","msg":"listening","port":8080}
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace invite::common {

enum class LogLevel { Debug, Info, Warn, Error };

using LogValue = std::variant<std::string, std::int64_t, double, bool>;
using LogField = std::pair<std::string_view, LogValue>;

// Sets the "service" field and the minimum level ("debug", "info", "warn", "error"). Thread-safe afterwards.
void log_init(std::string service, LogLevel min_level = LogLevel::Info);
std::optional<LogLevel> parse_log_level(std::string_view name);

// Writes one line atomically (lines of concurrent threads never interleave).
void log(LogLevel level, std::string_view msg, std::initializer_list<LogField> fields = {});

inline void log_info(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log(LogLevel::Info, msg, fields);
}
inline void log_warn(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log(LogLevel::Warn, msg, fields);
}
inline void log_error(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log(LogLevel::Error, msg, fields);
}
inline void log_debug(std::string_view msg, std::initializer_list<LogField> fields = {}) {
  log(LogLevel::Debug, msg, fields);
}

}  // namespace invite::common
