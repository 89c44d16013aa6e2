#include "invite/common/ids.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace invite::common;

namespace {
bool lower_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
}  // namespace

TEST(Uuid, Version4FormatLowerCase) {
  for (int i = 0; i < 100; ++i) {
    const std::string id = new_uuid();
    ASSERT_EQ(id.size(), 36u) << id;
    for (std::size_t p = 0; p < id.size(); ++p) {
      if (p == 8 || p == 13 || p == 18 || p == 23)
        ASSERT_EQ(id[p], '-') << id;
      else
        ASSERT_TRUE(lower_hex(id[p])) << id;
    }
    EXPECT_EQ(id[14], '4') << id;                                          // version
    EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos) << id;  // RFC 4122 variant
    EXPECT_TRUE(is_uuid(id));
  }
}

TEST(Uuid, Unique) {
  std::set<std::string> seen;
  for (int i = 0; i < 10000; ++i) seen.insert(new_uuid());
  EXPECT_EQ(seen.size(), 10000u);
}

TEST(Uuid, IsUuid) {
  EXPECT_TRUE(is_uuid("0bd1d2a4-5b6e-4c1a-9a3e-6f2e1c7b8d90"));
  EXPECT_TRUE(is_uuid("0BD1D2A4-5B6E-4C1A-9A3E-6F2E1C7B8D90"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("0bd1d2a45b6e4c1a9a3e6f2e1c7b8d90"));
  EXPECT_FALSE(is_uuid("0bd1d2a4-5b6e-4c1a-9a3e-6f2e1c7b8d9"));
  EXPECT_FALSE(is_uuid("0bd1d2a4-5b6e-4c1a-9a3e-6f2e1c7b8d900"));
  EXPECT_FALSE(is_uuid("0bd1d2a4-5b6e-4c1a-9a3e-6f2e1c7b8d9g"));
  EXPECT_FALSE(is_uuid("0bd1d2a4x5b6e-4c1a-9a3e-6f2e1c7b8d90"));
}

TEST(RandomHex, LengthAndAlphabet) {
  const std::string h = random_hex(32);
  ASSERT_EQ(h.size(), 64u);
  for (char c : h) EXPECT_TRUE(lower_hex(c)) << h;
  EXPECT_NE(random_hex(16), random_hex(16));
  EXPECT_EQ(random_hex(0), "");
}

TEST(Time, Rfc3339Format) {
  EXPECT_EQ(rfc3339_utc(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(rfc3339_utc(1795690800123), "2026-11-26T11:00:00.123Z");
  EXPECT_EQ(rfc3339_utc(951782400000), "2000-02-29T00:00:00.000Z");  // leap day
  EXPECT_EQ(rfc3339_utc(-1), "1969-12-31T23:59:59.999Z");
}

// The writers take the text from Rfc3339's own buffer: the same characters, also for the years four digits do not
// hold (written as printf's %04d writes them).
TEST(Time, Rfc3339BufferHasTheSameText) {
  EXPECT_EQ(std::string_view(Rfc3339(1795690800123)), "2026-11-26T11:00:00.123Z");
  EXPECT_EQ(std::string_view(Rfc3339(-62167219200000)), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(Rfc3339(253402300799999)), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(std::string_view(Rfc3339(253402300800000)), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(std::string_view(Rfc3339(-62167219200001)), "-001-12-31T23:59:59.999Z");
}

TEST(Time, Rfc3339RoundTrip) {
  for (std::int64_t ms : {std::int64_t{0}, std::int64_t{1795690800123}, std::int64_t{951782399999}, now_ms()}) {
    EXPECT_EQ(parse_rfc3339(rfc3339_utc(ms)), ms) << ms;
  }
}

TEST(Time, ParseRfc3339Variants) {
  const std::int64_t base = 1795690800000;  // 2026-11-26T11:00:00Z
  EXPECT_EQ(parse_rfc3339("2026-11-26T11:00:00Z"), base);
  EXPECT_EQ(parse_rfc3339("2026-11-26t11:00:00z"), base);
  EXPECT_EQ(parse_rfc3339("2026-11-26T11:00:00.5Z"), base + 500);
  EXPECT_EQ(parse_rfc3339("2026-11-26T11:00:00.123456789Z"), base + 123);
  EXPECT_EQ(parse_rfc3339("2026-11-26T14:30:00+03:30"), base);
  EXPECT_EQ(parse_rfc3339("2026-11-26T06:00:00.250-05:00"), base + 250);
  EXPECT_EQ(parse_rfc3339("2026-11-26T11:00:00+00:00"), base);
}

TEST(Time, ParseRfc3339Rejects) {
  for (const char* bad :
       {"", "2026-11-26", "2026-11-26T11:00:00", "2026-11-26T11:00Z", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-26T24:00:00Z", "2026-11-26T11:60:00Z", "2026-11-26T11:00:00.Z", "2026-11-26T11:00:00+0300",
        "2026-11-26T11:00:00Zjunk", "26-11-26T11:00:00Z", "2026-11-26T11:00:00 Z"}) {
    EXPECT_EQ(parse_rfc3339(bad), std::nullopt) << bad;
  }
}

TEST(Time, UtcDayAndNextMidnight) {
  const std::int64_t day_ms = 24 * 3600 * 1000;
  const std::int64_t midnight = 1795651200000;  // 2026-11-26T00:00:00Z
  EXPECT_EQ(utc_day(midnight), "2026-11-26");
  EXPECT_EQ(utc_day(midnight + day_ms - 1), "2026-11-26");
  EXPECT_EQ(utc_day(midnight - 1), "2026-11-25");
  EXPECT_EQ(next_utc_midnight_ms(midnight + 39600123), midnight + day_ms);
  EXPECT_EQ(next_utc_midnight_ms(midnight + day_ms - 1), midnight + day_ms);
  EXPECT_EQ(next_utc_midnight_ms(midnight), midnight + day_ms);  // strictly after
  EXPECT_EQ(rfc3339_utc(next_utc_midnight_ms(midnight - 1)), "2026-11-26T00:00:00.000Z");
}

TEST(Time, NowIsCurrent) {
  const std::int64_t a = now_ms();
  EXPECT_GT(a, 1700000000000);  // after 2023
  EXPECT_LE(a, now_ms());
}
