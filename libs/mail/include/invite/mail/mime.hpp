#pragma once
// An e-mail as bytes on the wire: RFC 5322 headers (non-ASCII text as RFC 2047 encoded-words), a MIME
// multipart/alternative body with a plain-text and an HTML part, both UTF-8 and quoted-printable, CRLF line ends.
// Pure: the caller passes the time and the identifiers, so the same input always gives the same bytes.
#include <cstdint>
#include <string>
#include <string_view>

namespace invite::mail {

struct Mailbox {
  std::string display_name;  // UTF-8, may be empty
  std::string address;       // "local@domain"
};

struct Message {
  Mailbox from;
  std::string to;          // the recipient's address
  std::string subject;     // UTF-8
  std::string message_id;  // "<...@...>"
  std::int64_t date_ms = 0;
  std::string language;  // Content-Language, e.g. "ru-RU"; empty: no header
  std::string text;      // UTF-8, lines separated by "\n" or "\r\n"
  std::string html;      // UTF-8
  std::string boundary;  // separates the parts; must not occur in them (see boundary_for)
};

// The message ready for SMTP DATA or an .eml file.
std::string render(const Message& message);

// "<id@domain>": a Message-ID that is the same every time the same e-mail job is rendered, so that a resend
// after a crash is recognisable as the same message. `domain` is taken from the sender's address.
std::string message_id(std::string_view id, std::string_view sender_address);
// A MIME boundary derived from an id; it starts with "=_", which quoted-printable text never contains.
std::string boundary_for(std::string_view id);

// "Thu, 26 Nov 2026 11:52:52 +0000"
std::string rfc5322_date(std::int64_t epoch_ms);

// The value of an unstructured header (Subject): printable ASCII stays as it is, anything else becomes UTF-8
// "B" encoded-words; folded so that no line exceeds 78 characters when it follows "<name>: ". Control
// characters (CR and LF among them) become spaces, so a value can never start a header of its own.
std::string header_text(std::string_view name, std::string_view utf8);
// "Name <a@b>" with the name quoted or encoded as needed; just the address when the name is empty.
std::string mailbox_header(std::string_view name, const Mailbox& mailbox);

// RFC 2045 quoted-printable of UTF-8 text: line breaks become CRLF, lines are at most 76 characters.
std::string quoted_printable(std::string_view text);

// The part after the last '@', lower-cased; empty when there is none.
std::string address_domain(std::string_view address);

}  // namespace invite::mail
