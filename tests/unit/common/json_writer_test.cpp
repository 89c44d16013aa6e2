#include "invite/common/json_writer.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace invite::common {
namespace {

// One string member, written alone: {"s":<text>}.
std::string document_with(std::string_view text) {
  JsonWriter out;
  out.begin_object();
  out.member("s", text);
  out.end_object();
  return out.text();
}

// What the tree-building encoders wrote for the same member (nlohmann's dump, invalid UTF-8 replaced).
std::string nlohmann_document_with(const std::string& text) {
  return nlohmann::json{{"s", text}}.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string read_back(const std::string& document) {
  return nlohmann::json::parse(document).at("s").get<std::string>();
}

TEST(JsonWriter, WritesMembersInCallOrderWithoutSpaces) {
  JsonWriter out;
  out.begin_object();
  out.member("z", "last letter first");
  out.member("a", 1);
  out.begin_object("nested");
  out.member("yes", true);
  out.member("no", false);
  out.end_object();
  out.begin_array("list");
  out.value("x");
  out.value(std::string("y"));
  out.begin_array();
  out.end_array();
  out.end_array();
  out.member("empty", std::string_view());
  out.end_object();
  EXPECT_EQ(out.text(),
            R"({"z":"last letter first","a":1,"nested":{"yes":true,"no":false},"list":["x","y",[]],"empty":""})");
}

TEST(JsonWriter, IntegersOfEveryWidthAndSign) {
  JsonWriter out;
  out.begin_array();
  out.value(0);
  out.value(-1);
  out.value(std::numeric_limits<int>::max());
  out.value(std::numeric_limits<std::int64_t>::min());
  out.value(std::numeric_limits<std::int64_t>::max());
  out.value(std::numeric_limits<std::uint64_t>::max());
  out.value(std::size_t{25});
  out.end_array();
  EXPECT_EQ(out.text(), "[0,-1,2147483647,-9223372036854775808,9223372036854775807,18446744073709551615,25]");
}

TEST(JsonWriter, EscapesWhatJsonRequiresAndNothingElse) {
  const std::string text = std::string("q\" b\\ s/ t\t n\n r\r b\b f\f c\x01\x1f del\x7f nul") + std::string(1, '\0');
  const auto document = document_with(text);
  // The short escapes where JSON has them, \u00XX for the other C0 controls; '/' and DEL stay as they are.
  EXPECT_EQ(document,
            std::string(R"({"s":"q\" b\\ s/ t\t n\n r\r b\b f\f c\u0001\u001F del)") + "\x7f" + R"( nul\u0000"})");
  EXPECT_EQ(read_back(document), text);
  // The one difference from nlohmann's dump: the case of the hex digits (\u001f there).
  EXPECT_NE(document, nlohmann_document_with(text));
}

TEST(JsonWriter, NonAsciiTextIsWrittenAsItsUtf8Bytes) {
  for (const std::string text : {
           "\xC3\xA9t\xC3\xA9",                  // été: two-byte sequences
           "d\xE2\x80\x99\xC3\xA9tudes",         // a typographic apostrophe: three bytes
           "\xE4\xB8\xAD\xE6\x96\x87",           // CJK
           "\xF0\x9D\x84\x9E \xF0\x9F\x98\x80",  // outside the BMP: four bytes, no surrogate pairs
           "\xE2\x80\xA8\xE2\x80\xA9",           // U+2028 and U+2029, legal unescaped in JSON
           "\xEF\xBF\xBD\xEF\xBB\xBF",           // U+FFFD itself and a BOM inside text
       }) {
    const auto document = document_with(text);
    EXPECT_EQ(document, R"({"s":")" + text + R"("})") << text;
    EXPECT_EQ(document, nlohmann_document_with(text)) << text;
    EXPECT_EQ(read_back(document), text) << text;
  }
}

TEST(JsonWriter, InvalidUtf8IsReplacedAsNlohmannReplacedIt) {
  const std::string replacement = "\xEF\xBF\xBD";
  EXPECT_EQ(read_back(document_with("a\xFF"
                                    "b")),
            "a" + replacement + "b");
  EXPECT_EQ(read_back(document_with("cut \xC3")), "cut " + replacement);
  for (const std::string text : {
           "lone \xFF byte",
           "continuation \x80\xBF without a lead",
           "cut at the end \xC3",
           "cut before ASCII \xC3x",
           "cut three-byte \xE2\x82x",
           "cut four-byte \xF0\x9D\x84",
           "overlong \xC0\xAF and \xE0\x80\xAF",
           "surrogate \xED\xA0\x80",
           "above U+10FFFF \xF4\x90\x80\x80",
           "mixed \xC3\xA9\xFF\xC3\xA9",
       }) {
    const auto document = document_with(text);
    EXPECT_EQ(document, nlohmann_document_with(text)) << text;
    EXPECT_NE(read_back(document).find(replacement), std::string::npos) << text;
  }
}

TEST(JsonWriter, KeysAreCheckedLikeValues) {
  JsonWriter out;
  out.begin_object();
  out.member("k\xFF", 1);
  out.member("\xC3\xA9", 2);
  out.end_object();
  EXPECT_EQ(out.text(), "{\"k\xEF\xBF\xBD\":1,\"\xC3\xA9\":2}");
}

TEST(JsonWriter, ASequenceCutByTheEndOfAViewIsInvalidEvenIfTheBytesAfterItWouldComplete) {
  const std::string whole = "x\xC3\xA9";                       // "xé"
  const std::string_view cut(whole.data(), whole.size() - 1);  // "x" and the lead byte of é, not its last byte
  EXPECT_EQ(read_back(document_with(cut)), "x\xEF\xBF\xBD");
}

TEST(JsonWriter, EachDocumentStartsFromAnEmptyBuffer) {
  // The thread's buffer is reused: a short document after a long one must not carry any of it.
  const auto long_document = document_with(std::string(10000, 'x'));
  EXPECT_EQ(long_document.size(), 10000U + 8U);
  EXPECT_EQ(document_with("short"), R"({"s":"short"})");
  // Past the capacity a thread keeps, too.
  const auto huge = document_with(std::string(3U << 20U, 'y'));
  EXPECT_EQ(huge.size(), (3U << 20U) + 8U);
  EXPECT_EQ(document_with("again"), R"({"s":"again"})");
}

TEST(JsonWriter, AWriterOpenedWhileAnotherIsOpenWritesADocumentOfItsOwn) {
  JsonWriter outer;
  outer.begin_object();
  outer.member("before", 1);
  {
    JsonWriter inner;
    inner.begin_array();
    inner.value("inner");
    inner.end_array();
    EXPECT_EQ(inner.text(), R"(["inner"])");
  }
  outer.member("after", 2);
  outer.end_object();
  EXPECT_EQ(outer.text(), R"({"before":1,"after":2})");
  EXPECT_EQ(document_with("next"), R"({"s":"next"})");  // and the thread's buffer is free again
}

}  // namespace
}  // namespace invite::common
