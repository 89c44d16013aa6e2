#include "invite/mail/mime.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace invite::mail {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto end = text.find("\r\n", start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) break;
    start = end + 2;
  }
  return out;
}

// Decodes what header_text() writes, as a mail client does: folding removed, then encoded-words (B, UTF-8)
// decoded and joined (the white space between two of them does not count).
std::string decode_header(const std::string& value) {
  std::string unfolded;
  for (std::size_t i = 0; i < value.size(); ++i) {
    if (value.compare(i, 2, "\r\n") == 0) {
      ++i;
      continue;
    }
    unfolded += value[i];
  }
  if (unfolded.find("=?UTF-8?B?") == std::string::npos) return unfolded;
  static const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::istringstream words(unfolded);
  std::string word;
  while (words >> word) {
    EXPECT_TRUE(word.starts_with("=?UTF-8?B?") && word.ends_with("?=")) << word;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : word.substr(10, word.size() - 12)) {
      if (c == '=') break;
      buffer = (buffer << 6) | static_cast<unsigned>(alphabet.find(c));
      bits += 6;
      if (bits >= 8) {
        bits -= 8;
        out += static_cast<char>((buffer >> bits) & 0xFF);
      }
    }
  }
  return out;
}

std::string decode_qp(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '=' && text.compare(i + 1, 2, "\r\n") == 0) {
      i += 2;
    } else if (text[i] == '=') {
      out += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

Message sample() {
  Message m;
  m.from = {"Local DocSpace", "no-reply@docspace.example"};
  m.to = "anna@example.com";
  m.subject = "Join Local DocSpace DocSpace";
  m.message_id = message_id("0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01", m.from.address);
  m.date_ms = 1795690800123;  // Thu, 26 Nov 2026 11:00:00.123 UTC
  m.language = "en-US";
  m.text = "Hello\nAccept: https://x.example/confirm?a=1&b=2\n";
  m.html = "<p>Hello</p>";
  m.boundary = boundary_for("0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01");
  return m;
}

TEST(Mime, HeadersOfAnInvitation) {
  const auto text = render(sample());
  const auto head = text.substr(0, text.find("\r\n\r\n"));
  EXPECT_EQ(head,
            "Date: Thu, 26 Nov 2026 11:00:00 +0000\r\n"
            "From: \"Local DocSpace\" <no-reply@docspace.example>\r\n"
            "To: <anna@example.com>\r\n"
            "Subject: Join Local DocSpace DocSpace\r\n"
            "Message-ID: <0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01@docspace.example>\r\n"
            "MIME-Version: 1.0\r\n"
            "Content-Language: en-US\r\n"
            "Auto-Submitted: auto-generated\r\n"
            "Content-Type: multipart/alternative;\r\n boundary=\"=_invite_0b6f5a8e1c2d4e3f8a9b0c1d2e3f4a01\"");
}

TEST(Mime, BodyIsTwoQuotedPrintablePartsBetweenBoundaries) {
  const auto message = sample();
  const auto text = render(message);
  const std::string delimiter = "--" + message.boundary;
  const auto first = text.find(delimiter +
                               "\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                               "Content-Transfer-Encoding: quoted-printable\r\n\r\n");
  const auto second = text.find(delimiter + "\r\nContent-Type: text/html; charset=UTF-8\r\n");
  ASSERT_NE(first, std::string::npos);
  ASSERT_NE(second, std::string::npos);
  EXPECT_LT(first, second);
  EXPECT_TRUE(text.ends_with("\r\n" + delimiter + "--\r\n"));
  const auto body_start = text.find("\r\n\r\n", first) + 4;
  const auto plain = text.substr(body_start, second - 2 - body_start);
  EXPECT_EQ(decode_qp(plain), "Hello\r\nAccept: https://x.example/confirm?a=1&b=2\r\n");
  for (const auto& line : lines_of(text)) EXPECT_LE(line.size(), 78u) << line;
  EXPECT_EQ(text.find('\n'), text.find("\r\n") + 1) << "bare LF";
}

TEST(Mime, SameInputSameBytes) { EXPECT_EQ(render(sample()), render(sample())); }

TEST(Mime, NonAsciiSubjectBecomesEncodedWordsThatDecodeBack) {
  const std::string subject = "Присоединяйтесь к Бюро «Ромашка» DocSpace — приглашение для всей команды";
  const auto value = header_text("Subject", subject);
  EXPECT_EQ(decode_header(value), subject);
  const auto lines = lines_of("Subject: " + value);
  EXPECT_GT(lines.size(), 1u);
  for (const auto& line : lines) EXPECT_LE(line.size(), 76u) << line;
  for (const auto& line : lines) {
    for (char c : line) EXPECT_TRUE(c >= 0x20 && c < 0x7f) << line;
  }
}

TEST(Mime, LongAsciiSubjectIsFoldedAtSpaces) {
  std::string subject;
  for (int i = 0; i < 20; ++i) subject += "word" + std::to_string(i) + " ";
  subject += "end";
  const auto value = header_text("Subject", subject);
  EXPECT_NE(value.find("\r\n "), std::string::npos);
  EXPECT_EQ(decode_header(value), subject);
  for (const auto& line : lines_of("Subject: " + value)) EXPECT_LE(line.size(), 78u) << line;
}

TEST(Mime, NoValueCanStartAHeaderOfItsOwn) {
  Message m = sample();
  m.subject = "Hi\r\nBcc: victim@example.com";
  m.from.display_name = "Evil\nX-Injected: 1";
  const auto text = render(m);
  const auto head = text.substr(0, text.find("\r\n\r\n"));
  for (const auto& line : lines_of(head)) {
    EXPECT_FALSE(line.starts_with("Bcc:")) << line;
    EXPECT_FALSE(line.starts_with("X-Injected:")) << line;
  }
  EXPECT_EQ(decode_header(header_text("Subject", m.subject)), "Hi  Bcc: victim@example.com");
}

TEST(Mime, TextThatLooksLikeAnEncodedWordIsEncoded) {
  const auto value = header_text("Subject", "=?UTF-8?B?SGk=?=");
  EXPECT_TRUE(value.starts_with("=?UTF-8?B?"));
  EXPECT_EQ(decode_header(value), "=?UTF-8?B?SGk=?=");
}

TEST(Mime, MailboxQuotesOrEncodesTheName) {
  EXPECT_EQ(mailbox_header("From", {"", "a@b.example"}), "<a@b.example>");
  EXPECT_EQ(mailbox_header("From", {"Say \"hi\"", "a@b.example"}), "\"Say \\\"hi\\\"\" <a@b.example>");
  const auto encoded = mailbox_header("From", {"Бюро", "a@b.example"});
  EXPECT_TRUE(encoded.starts_with("=?UTF-8?B?")) << encoded;
  EXPECT_TRUE(encoded.ends_with("\r\n <a@b.example>")) << encoded;
}

TEST(Mime, QuotedPrintableRules) {
  EXPECT_EQ(quoted_printable("a=b"), "a=3Db");
  EXPECT_EQ(quoted_printable("trailing \nline"), "trailing=20\r\nline");
  EXPECT_EQ(quoted_printable("é"), "=C3=A9");
  const std::string long_line(200, 'x');
  const auto encoded = quoted_printable(long_line);
  for (const auto& line : lines_of(encoded)) EXPECT_LE(line.size(), 76u);
  EXPECT_EQ(decode_qp(encoded), long_line);
  // An escape is never cut by a soft break.
  const std::string accents(100, '\xE9');
  for (const auto& line : lines_of(quoted_printable(accents))) {
    EXPECT_TRUE(line.size() % 3 == 0 || line.ends_with("=")) << line;
    EXPECT_LE(line.size(), 76u);
  }
}

TEST(Mime, MessageIdAndDomain) {
  EXPECT_EQ(message_id("abc-1", "No-Reply@Mail.Example"), "<abc-1@mail.example>");
  EXPECT_EQ(message_id("a b<c>", "x@y.example"), "<a-b-c-@y.example>");
  EXPECT_EQ(message_id("id", "nobody"), "<id@invite.invalid>");
  EXPECT_EQ(address_domain("a@B.example"), "b.example");
  EXPECT_EQ(address_domain("nobody"), "");
}

TEST(Mime, Rfc5322Dates) {
  EXPECT_EQ(rfc5322_date(0), "Thu, 01 Jan 1970 00:00:00 +0000");
  EXPECT_EQ(rfc5322_date(1795690800123), "Thu, 26 Nov 2026 11:00:00 +0000");
  EXPECT_EQ(rfc5322_date(951782400000), "Tue, 29 Feb 2000 00:00:00 +0000");
}

}  // namespace
}  // namespace invite::mail
