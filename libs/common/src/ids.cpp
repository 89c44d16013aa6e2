#include "invite/common/ids.hpp"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace invite::common {
namespace {

using namespace std::chrono;

constexpr char kHex[] = "0123456789abcdef";

void fill_from_csprng(unsigned char* out, std::size_t n) {
  // An id from a failed CSPRNG could collide or be guessed; no caller can do anything sensible with it.
  if (RAND_bytes(out, static_cast<int>(n)) != 1) {
    std::fputs("fatal: OpenSSL RAND_bytes failed\n", stderr);
    std::abort();
  }
}

// The worker makes four ids per invitation; one RAND_bytes call per id cost more than the rest of making it. So
// each thread draws 4 KiB at a time and hands them out; the bytes are the CSPRNG's all the same. A forked child
// must not hand out its parent's bytes again, hence the pid.
void random_bytes(unsigned char* out, std::size_t n) {
  struct Pool {
    std::array<unsigned char, 4096> bytes{};
    std::size_t used = sizeof(bytes);
    pid_t owner = 0;
  };
  thread_local Pool pool;
  if (n > pool.bytes.size()) return fill_from_csprng(out, n);
  const pid_t self = getpid();
  if (pool.used + n > pool.bytes.size() || pool.owner != self) {
    fill_from_csprng(pool.bytes.data(), pool.bytes.size());
    pool.used = 0;
    pool.owner = self;
  }
  std::memcpy(out, pool.bytes.data() + pool.used, n);
  // Handed-out bytes are not kept around.
  OPENSSL_cleanse(pool.bytes.data() + pool.used, n);
  pool.used += n;
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Reads exactly `width` decimal digits at text[pos], advancing pos.
std::optional<int> read_digits(std::string_view text, std::size_t& pos, std::size_t width) {
  if (pos + width > text.size()) return std::nullopt;
  int value = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const char c = text[pos + i];
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  pos += width;
  return value;
}

bool expect(std::string_view text, std::size_t& pos, char c) {
  if (pos >= text.size() || text[pos] != c) return false;
  ++pos;
  return true;
}

}  // namespace

std::string new_uuid() {
  std::array<unsigned char, 16> b{};
  random_bytes(b.data(), b.size());
  b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 0x0f]);
  }
  return out;
}

bool is_uuid(std::string_view text) {
  if (text.size() != 36) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool dash_position = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_position ? text[i] != '-' : !is_hex(text[i])) return false;
  }
  return true;
}

std::string random_hex(std::size_t bytes) {
  std::vector<unsigned char> b(bytes);
  if (bytes > 0) random_bytes(b.data(), b.size());
  std::string out;
  out.reserve(bytes * 2);
  for (unsigned char c : b) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0f]);
  }
  return out;
}

std::int64_t now_ms() { return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count(); }

Rfc3339::Rfc3339(std::int64_t epoch_ms) {
  const sys_time<milliseconds> tp{milliseconds(epoch_ms)};
  const auto midnight = floor<days>(tp);
  const year_month_day ymd{midnight};
  const hh_mm_ss<milliseconds> tod{tp - midnight};
  const int year = static_cast<int>(ymd.year());
  const auto digits = [this](unsigned value, int width) {
    for (int i = width - 1; i >= 0; --i) {
      chars_[size_ + static_cast<std::size_t>(i)] = static_cast<char>('0' + value % 10);
      value /= 10;
    }
    size_ += static_cast<std::size_t>(width);
  };
  const auto put = [this](char c) { chars_[size_++] = c; };
  if (year < 0 || year > 9999) {  // what printf's %04d makes of them; no caller writes such dates on a hot path
    size_ = static_cast<std::size_t>(std::snprintf(chars_.data(), chars_.size(), "%04d", year));
  } else {
    digits(static_cast<unsigned>(year), 4);
  }
  put('-');
  digits(static_cast<unsigned>(ymd.month()), 2);
  put('-');
  digits(static_cast<unsigned>(ymd.day()), 2);
  put('T');
  digits(static_cast<unsigned>(tod.hours().count()), 2);
  put(':');
  digits(static_cast<unsigned>(tod.minutes().count()), 2);
  put(':');
  digits(static_cast<unsigned>(tod.seconds().count()), 2);
  put('.');
  digits(static_cast<unsigned>(tod.subseconds().count()), 3);
  put('Z');
}

std::string rfc3339_utc(std::int64_t epoch_ms) { return std::string(std::string_view(Rfc3339(epoch_ms))); }

std::optional<std::int64_t> parse_rfc3339(std::string_view text) {
  std::size_t pos = 0;
  const auto y = read_digits(text, pos, 4);
  if (!y || !expect(text, pos, '-')) return std::nullopt;
  const auto mo = read_digits(text, pos, 2);
  if (!mo || !expect(text, pos, '-')) return std::nullopt;
  const auto d = read_digits(text, pos, 2);
  if (!d) return std::nullopt;
  // RFC 3339 allows a lower-case 't' and, in its note, a space between date and time.
  if (pos >= text.size() || (text[pos] != 'T' && text[pos] != 't' && text[pos] != ' ')) return std::nullopt;
  ++pos;
  const auto h = read_digits(text, pos, 2);
  if (!h || !expect(text, pos, ':')) return std::nullopt;
  const auto mi = read_digits(text, pos, 2);
  if (!mi || !expect(text, pos, ':')) return std::nullopt;
  const auto s = read_digits(text, pos, 2);
  if (!s) return std::nullopt;

  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    std::size_t digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      // Precision beyond milliseconds is truncated: every timestamp of the project is in ms.
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (std::size_t k = digits; k < 3; ++k) millis *= 10;
  }

  int offset_minutes = 0;
  if (pos >= text.size()) return std::nullopt;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    ++pos;
    const auto oh = read_digits(text, pos, 2);
    if (!oh || !expect(text, pos, ':')) return std::nullopt;
    const auto om = read_digits(text, pos, 2);
    if (!om || *oh > 23 || *om > 59) return std::nullopt;
    offset_minutes = sign * (*oh * 60 + *om);
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;

  const year_month_day ymd{year{*y}, std::chrono::month{static_cast<unsigned>(*mo)},
                           std::chrono::day{static_cast<unsigned>(*d)}};
  // Second 60 is a leap second (RFC 3339 allows it); it lands on the next minute's first second.
  if (!ymd.ok() || *h > 23 || *mi > 59 || *s > 60) return std::nullopt;

  const auto local = sys_days{ymd} + hours{*h} + minutes{*mi} + seconds{*s} + milliseconds{millis};
  const auto utc = local - minutes{offset_minutes};
  return duration_cast<milliseconds>(utc.time_since_epoch()).count();
}

std::string utc_day(std::int64_t epoch_ms) {
  const year_month_day ymd{floor<days>(sys_time<milliseconds>{milliseconds(epoch_ms)})};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

std::int64_t next_utc_midnight_ms(std::int64_t epoch_ms) {
  // Strictly after epoch_ms: at midnight itself the current day has just begun and the next one is a day away.
  const auto midnight = floor<days>(sys_time<milliseconds>{milliseconds(epoch_ms)});
  return duration_cast<milliseconds>((midnight + days{1}).time_since_epoch()).count();
}

}  // namespace invite::common
