#pragma once
// Random identifiers (OpenSSL's CSPRNG) and UTC time formatting.
#include <array>
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

// rfc3339_utc's text in a buffer of its own, for the JSON writers on hot paths: every invitation writes several
// timestamps, and a std::string of 24 characters is a heap allocation each.
class Rfc3339 {
 public:
  explicit Rfc3339(std::int64_t epoch_ms);
  operator std::string_view() const { return {chars_.data(), size_}; }  // NOLINT(google-explicit-constructor)

 private:
  std::array<char, 40> chars_{};
  std::size_t size_ = 0;
};

}  // namespace invite::common
