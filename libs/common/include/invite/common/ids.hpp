#pragma once
// Random identifiers (OpenSSL's CSPRNG) and UTC time formatting.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace invite::common {

std::string new_uuid();                     // RFC 4122 version 4, lower-case, 36 chars
bool is_uuid(std::string_view text);        // 8-4-4-4-12 hex digits, any case
std::string random_hex(std::size_t bytes);  // 2*bytes lower-case hex chars

std::int64_t now_ms();                                        // wall clock, ms since the Unix epoch
std::string rfc3339_utc(std::int64_t epoch_ms);               // "2026-11-26T11:00:00.123Z"
std::optional<std::int64_t> parse_rfc3339(std::string_view);  // accepts 'Z' or +hh:mm offsets, optional fraction
std::string utc_day(std::int64_t epoch_ms);                   // "2026-11-26"
std::int64_t next_utc_midnight_ms(std::int64_t epoch_ms);

}  // namespace invite::common
