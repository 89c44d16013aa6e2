#pragma once
#include <string>
#include <string_view>

namespace invite::common {

// ASCII-only on purpose: header names, host names, flag values and e-mail addresses compare the same way in
// every process, whatever locale it runs under. Bytes outside A-Z (UTF-8 included) are never changed.

// A copy with A-Z turned into a-z.
std::string ascii_lower(std::string_view text);
// Equal when the texts differ at most in the case of A-Z letters.
bool iequals(std::string_view a, std::string_view b);
// Without leading and trailing space, \t, \r, \n, \f and \v; a view into the argument.
std::string_view trim(std::string_view text);
// True when the text holds a control character: C0 (U+0000..U+001F), DEL, or C1 (U+0080..U+009F) in UTF-8.
// No name, key, address or query parameter we accept has one.
bool has_control_character(std::string_view text);
// Percent-encodes everything but RFC 3986 unreserved characters.
std::string url_encode(std::string_view text);

}  // namespace invite::common
