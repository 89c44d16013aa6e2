#include "invite/mail/mime.hpp"

#include <array>
#include <chrono>
#include <cstdio>

#include "invite/common/crypto.hpp"
#include "invite/common/text.hpp"

namespace invite::mail {
namespace {

constexpr std::size_t kLineLimit = 76;  // RFC 2047's limit for lines with encoded-words, and QP's
constexpr std::size_t kFoldLimit = 78;  // RFC 5322's recommended line length for other header lines
constexpr std::string_view kCrlf = "\r\n";

bool is_printable_ascii(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// Control characters (CR, LF and TAB among them) as spaces: nothing from a job can end a header line.
std::string without_controls(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) c = ' ';
  }
  return out;
}

bool needs_encoding(std::string_view text) {
  for (char c : text) {
    if (!is_printable_ascii(static_cast<unsigned char>(c))) return true;
  }
  return text.find("=?") != std::string_view::npos;  // would read as an encoded-word
}

// The longest prefix of `text` of at most `limit` bytes that does not cut a UTF-8 sequence (at least one
// character, so that progress is always made).
std::size_t utf8_prefix(std::string_view text, std::size_t limit) {
  if (text.size() <= limit) return text.size();
  std::size_t end = limit;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  if (end > 0) return end;
  end = 1;  // a sequence longer than the limit: keep it whole
  while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
  return end;
}

// Encoded-words for `text`, the first fitting into `first_room` columns and the others into a continuation
// line each ("\r\n " + word). Decoders ignore the folding white space between adjacent encoded-words.
std::string encoded_words(std::string_view text, std::size_t first_room) {
  constexpr std::string_view kOpen = "=?UTF-8?B?";
  constexpr std::string_view kClose = "?=";
  const auto bytes_for = [&](std::size_t room) -> std::size_t {
    const std::size_t overhead = kOpen.size() + kClose.size();
    return room > overhead + 4 ? (room - overhead) / 4 * 3 : 3;
  };
  std::string out;
  std::size_t room = first_room;
  while (!text.empty()) {
    const std::size_t n = utf8_prefix(text, bytes_for(room));
    if (!out.empty()) out += "\r\n ";
    out += kOpen;
    out += common::base64(text.substr(0, n));
    out += kClose;
    text.remove_prefix(n);
    room = kLineLimit - 1;
  }
  return out;
}

// Plain ASCII words folded before a space so that lines stay within the limit where the words allow it.
std::string folded(std::string_view text, std::size_t first_room) {
  std::string out;
  std::size_t column = 0;
  std::size_t room = first_room;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t space = text.find(' ', start + 1);
    const std::size_t end = space == std::string_view::npos ? text.size() : space;
    const std::string_view word = text.substr(start, end - start);  // with its leading space, except the first
    if (column > 0 && column + word.size() > room) {
      out += kCrlf;
      column = 0;
      room = kFoldLimit;
    }
    out += word;
    column += word.size();
    if (space == std::string_view::npos) break;
    start = space;
  }
  return out;
}

char hex_digit(unsigned v) { return "0123456789ABCDEF"[v & 15]; }

void append_qp_line(std::string& out, std::string_view line) {
  std::size_t column = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const auto c = static_cast<unsigned char>(line[i]);
    const bool last = i + 1 == line.size();
    std::array<char, 3> encoded{};
    std::size_t width = 1;
    if ((c >= 33 && c <= 126 && c != '=') || ((c == ' ' || c == '\t') && !last)) {
      encoded[0] = static_cast<char>(c);
    } else {
      encoded = {'=', hex_digit(c >> 4), hex_digit(c)};
      width = 3;
    }
    // A soft break ("=" at the end of a line) when this character would pass the limit; the last character
    // may use the column the "=" would have taken.
    const std::size_t limit = last ? kLineLimit : kLineLimit - 1;
    if (column + width > limit) {
      out += "=\r\n";
      column = 0;
    }
    out.append(encoded.data(), width);
    column += width;
  }
}

void append_part(std::string& out, std::string_view boundary, std::string_view media_type, std::string_view body) {
  out += "--";
  out += boundary;
  out += kCrlf;
  out += "Content-Type: ";
  out += media_type;
  out += "; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n";
  out += quoted_printable(body);
  out += kCrlf;
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  out += value;
  out += kCrlf;
}

}  // namespace

std::string header_text(std::string_view name, std::string_view utf8) {
  const std::string clean = without_controls(utf8);
  const std::size_t first_room = kLineLimit - std::min(kLineLimit - 20, name.size() + 2);
  return needs_encoding(clean) ? encoded_words(clean, first_room)
                               : folded(clean, first_room + (kFoldLimit - kLineLimit));
}

std::string mailbox_header(std::string_view name, const Mailbox& mailbox) {
  std::string address = "<" + without_controls(mailbox.address) + ">";
  const std::string display = without_controls(mailbox.display_name);
  if (display.empty()) return address;
  const std::size_t first_room = kLineLimit - std::min(kLineLimit - 20, name.size() + 2);
  if (!needs_encoding(display) && display.size() + address.size() + 3 <= first_room) {
    std::string quoted = "\"";
    for (char c : display) {
      if (c == '"' || c == '\\') quoted += '\\';
      quoted += c;
    }
    return quoted + "\" " + address;
  }
  return encoded_words(display, first_room) + "\r\n " + address;
}

std::string quoted_printable(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  std::size_t start = 0;
  while (true) {
    const std::size_t newline = text.find('\n', start);
    std::string_view line = text.substr(start, newline == std::string_view::npos ? text.npos : newline - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    append_qp_line(out, line);
    if (newline == std::string_view::npos) break;
    out += kCrlf;
    start = newline + 1;
  }
  return out;
}

std::string address_domain(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? std::string() : common::ascii_lower(address.substr(at + 1));
}

std::string message_id(std::string_view id, std::string_view sender_address) {
  std::string left;
  for (char c : id) {
    const bool keep =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    left += keep ? c : '-';
  }
  std::string domain = address_domain(sender_address);
  std::erase_if(domain, [](char c) { return c == '<' || c == '>' || static_cast<unsigned char>(c) <= ' '; });
  if (domain.empty()) domain = "invite.invalid";  // RFC 2606: a name that is never anyone's
  return "<" + left + "@" + domain + ">";
}

std::string boundary_for(std::string_view id) {
  std::string out = "=_invite_";
  for (char c : id) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) out += c;
  }
  return out;
}

std::string rfc5322_date(std::int64_t epoch_ms) {
  using namespace std::chrono;
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const sys_time<milliseconds> tp{milliseconds(epoch_ms)};
  const auto midnight = floor<days>(tp);
  const year_month_day ymd{midnight};
  const weekday wd{midnight};
  const hh_mm_ss<seconds> tod{floor<seconds>(tp - midnight)};
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d +0000", kDays[wd.c_encoding()],
                static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                static_cast<int>(ymd.year()), static_cast<int>(tod.hours().count()),
                static_cast<int>(tod.minutes().count()), static_cast<int>(tod.seconds().count()));
  return buf;
}

std::string render(const Message& message) {
  std::string out;
  out.reserve(message.text.size() + message.html.size() * 11 / 10 + 1024);
  append_header(out, "Date", rfc5322_date(message.date_ms));
  append_header(out, "From", mailbox_header("From", message.from));
  append_header(out, "To", mailbox_header("To", {"", message.to}));
  append_header(out, "Subject", header_text("Subject", message.subject));
  append_header(out, "Message-ID", without_controls(message.message_id));
  append_header(out, "MIME-Version", "1.0");
  if (!message.language.empty()) append_header(out, "Content-Language", without_controls(message.language));
  // RFC 3834: machine-sent, so that auto-responders do not answer it.
  append_header(out, "Auto-Submitted", "auto-generated");
  append_header(out, "Content-Type", "multipart/alternative;\r\n boundary=\"" + message.boundary + "\"");
  out += kCrlf;
  append_part(out, message.boundary, "text/plain", message.text);
  append_part(out, message.boundary, "text/html", message.html);
  out += "--";
  out += message.boundary;
  out += "--\r\n";
  return out;
}

}  // namespace invite::mail
