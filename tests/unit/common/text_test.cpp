#include "invite/common/text.hpp"

#include <gtest/gtest.h>

#include <string>

using namespace invite::common;

namespace {

TEST(TextTest, AsciiLowerChangesOnlyUpperCaseLetters) {
  EXPECT_EQ(ascii_lower("Portal.Example.COM"), "portal.example.com");
  EXPECT_EQ(ascii_lower("@[]^_`{} 09-AZaz"), "@[]^_`{} 09-azaz");
  EXPECT_EQ(ascii_lower(""), "");
}

TEST(TextTest, AsciiLowerLeavesNonAsciiBytesAlone) {
  // "ÄÉ" in UTF-8 and Latin-1 upper-case bytes: a locale-aware tolower could rewrite the Latin-1 ones.
  const std::string utf8 = "\xC3\x84\xC3\x89X";
  EXPECT_EQ(ascii_lower(utf8), "\xC3\x84\xC3\x89x");
  const std::string latin1 = "\xC4\xC9\xD0\xDE\xFF";
  EXPECT_EQ(ascii_lower(latin1), latin1);
}

TEST(TextTest, AsciiLowerKeepsEmbeddedNul) {
  const std::string text("A\0B", 3);
  EXPECT_EQ(ascii_lower(text), std::string("a\0b", 3));
}

TEST(TextTest, IequalsIgnoresAsciiCase) {
  EXPECT_TRUE(iequals("Content-Length", "content-length"));
  EXPECT_TRUE(iequals("BEARER", "bearer"));
  EXPECT_TRUE(iequals("", ""));
}

TEST(TextTest, IequalsRejectsDifferentTexts) {
  EXPECT_FALSE(iequals("Allow", "Allowed"));
  EXPECT_FALSE(iequals("abc", "abd"));
  EXPECT_FALSE(iequals("a", ""));
  // '@' and '`' sit right before 'A' and 'a': only letters fold.
  EXPECT_FALSE(iequals("@", "`"));
  EXPECT_FALSE(iequals("[", "{"));
}

TEST(TextTest, IequalsComparesNonAsciiBytesExactly) {
  // U+00C4 vs U+00E4 in UTF-8 differ in their second byte: no case folding beyond ASCII.
  EXPECT_FALSE(iequals("\xC3\x84", "\xC3\xA4"));
  EXPECT_TRUE(iequals("\xC3\x84X", "\xC3\x84x"));
  // Latin-1 'Ä' and 'ä' are one case apart in that encoding, yet stay different.
  EXPECT_FALSE(iequals("\xC4", "\xE4"));
}

TEST(TextTest, TrimStripsAsciiWhitespaceAtBothEnds) {
  EXPECT_EQ(trim("  text/json \t"), "text/json");
  EXPECT_EQ(trim("\r\n\f\vvalue\v\f\n\r"), "value");
  EXPECT_EQ(trim("inner  space"), "inner  space");
  EXPECT_EQ(trim("a"), "a");
}

TEST(TextTest, TrimOfBlankTextIsEmpty) {
  EXPECT_EQ(trim(""), "");
  EXPECT_EQ(trim(" \t\r\n\f\v"), "");
}

TEST(TextTest, TrimKeepsNonAsciiAndOtherControlBytes) {
  // NBSP (U+00A0, also Latin-1 0xA0) and NUL are not ASCII whitespace.
  EXPECT_EQ(trim("\xC2\xA0x\xC2\xA0"), "\xC2\xA0x\xC2\xA0");
  EXPECT_EQ(trim(" \xA0 "), "\xA0");
  const std::string with_nul(" \0x ", 4);
  EXPECT_EQ(trim(with_nul), std::string_view("\0x", 2));
}

TEST(TextTest, TrimReturnsAViewIntoItsArgument) {
  const std::string text = "  word  ";
  const std::string_view trimmed = trim(text);
  EXPECT_EQ(trimmed.data(), text.data() + 2);
  EXPECT_EQ(trimmed.size(), 4u);
}

TEST(TextTest, ControlCharactersAreC0DelAndC1InUtf8) {
  EXPECT_TRUE(has_control_character(std::string_view("a\0b", 3)));
  EXPECT_TRUE(has_control_character("tab\there"));
  EXPECT_TRUE(has_control_character("del\x7f"));
  EXPECT_TRUE(has_control_character("next line \xC2\x85"));  // U+0085
}

TEST(TextTest, PrintableTextHasNoControlCharacter) {
  EXPECT_FALSE(has_control_character(""));
  EXPECT_FALSE(has_control_character("Zoë <x@y.io> ~"));
  EXPECT_FALSE(has_control_character("\xC2\xA0"));  // NBSP is printable
}

}  // namespace
