#pragma once
// Input rules of DocSpace's invite endpoint.
#include <string>
#include <string_view>

namespace invite::domain {

// At most 255 characters, ASCII only, one '@', a non-empty local part, dot-separated ASCII domain labels of
// letters/digits/hyphens (not starting or ending with '-'), a top-level domain of 2+ letters, no punycode
// ("xn--") label, no whitespace or control characters (so CR/LF can never reach a mail header).
bool is_valid_email(std::string_view email);
// ASCII lower-case; the key users are unique on within a portal.
std::string normalize_email(std::string_view email);
// The local part (before '@'); DocSpace uses it as the user name of an invited user.
std::string email_local_part(std::string_view email);
// "ll" or "ll-CC" (two lower-case letters, optionally '-' and two upper-case letters), e.g. "en", "en-US".
bool is_valid_culture(std::string_view culture);
// W3C trace context header: version(2)-trace id(32)-parent id(16)-flags(2), lower-case hex, ids not all zero,
// version not ff. Only such a value is passed on from a request to the events it causes.
bool is_valid_traceparent(std::string_view header);

}  // namespace invite::domain
