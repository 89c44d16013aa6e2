#include "invite/domain/validation.hpp"

#include <algorithm>

#include "invite/common/text.hpp"

namespace invite::domain {
namespace {

constexpr std::size_t kMaxEmailLength = 255;

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// RFC 5322 "atext" plus '.', which is checked separately for placement.
bool is_local_char(char c) {
  if (is_ascii_letter(c) || is_ascii_digit(c)) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '/':
    case '=':
    case '?':
    case '^':
    case '_':
    case '`':
    case '{':
    case '|':
    case '}':
    case '~':
    case '.':
      return true;
    default:
      return false;
  }
}

bool valid_local_part(std::string_view local) {
  if (local.empty() || local.size() > 64) return false;
  if (local.front() == '.' || local.back() == '.') return false;
  char previous = 0;
  for (char c : local) {
    if (!is_local_char(c)) return false;
    if (c == '.' && previous == '.') return false;
    previous = c;
  }
  return true;
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!is_ascii_letter(c) && !is_ascii_digit(c) && c != '-') return false;
  }
  // Punycode labels encode non-ASCII domains, which DocSpace refuses.
  if (label.size() >= 4 && (label[0] == 'x' || label[0] == 'X') && (label[1] == 'n' || label[1] == 'N') &&
      label[2] == '-' && label[3] == '-') {
    return false;
  }
  return true;
}

bool valid_domain(std::string_view domain) {
  if (domain.empty()) return false;
  std::string_view last;
  std::size_t labels = 0;
  while (true) {
    const auto dot = domain.find('.');
    const auto label = domain.substr(0, dot);
    if (!valid_label(label)) return false;
    ++labels;
    last = label;
    if (dot == std::string_view::npos) break;
    domain.remove_prefix(dot + 1);
  }
  if (labels < 2 || last.size() < 2) return false;
  for (char c : last) {
    if (!is_ascii_letter(c)) return false;
  }
  return true;
}

}  // namespace

bool is_valid_email(std::string_view email) {
  if (email.empty() || email.size() > kMaxEmailLength) return false;
  const auto at = email.find('@');
  if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) return false;
  return valid_local_part(email.substr(0, at)) && valid_domain(email.substr(at + 1));
}

std::string normalize_email(std::string_view email) { return common::ascii_lower(email); }

std::string email_local_part(std::string_view email) { return std::string(email.substr(0, email.find('@'))); }

bool is_valid_culture(std::string_view culture) {
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  if (culture.size() == 2) return lower(culture[0]) && lower(culture[1]);
  if (culture.size() == 5) {
    return lower(culture[0]) && lower(culture[1]) && culture[2] == '-' && upper(culture[3]) && upper(culture[4]);
  }
  return false;
}

bool is_valid_traceparent(std::string_view header) {
  const auto lower_hex = [](std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  };
  if (header.size() != 55 || header[2] != '-' || header[35] != '-' || header[52] != '-') return false;
  const auto version = header.substr(0, 2), trace = header.substr(3, 32), parent = header.substr(36, 16),
             flags = header.substr(53, 2);
  if (!lower_hex(version) || !lower_hex(trace) || !lower_hex(parent) || !lower_hex(flags)) return false;
  return version != "ff" && trace != std::string(32, '0') && parent != std::string(16, '0');
}

}  // namespace invite::domain
