#include "invite/domain/account_rules.hpp"

#include <algorithm>

#include "invite/common/text.hpp"

namespace invite::domain {
namespace {

bool is_upper(unsigned char c) { return c >= 'A' && c <= 'Z'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_special(unsigned char c) {
  const bool letter = (c >= 'a' && c <= 'z') || is_upper(c);
  return c >= 0x21 && c <= 0x7e && !letter && !is_digit(c);
}

bool has(std::string_view text, bool (*kind)(unsigned char)) {
  return std::any_of(text.begin(), text.end(), [kind](char c) { return kind(static_cast<unsigned char>(c)); });
}

}  // namespace

std::size_t code_points(std::string_view utf8) {
  return static_cast<std::size_t>(
      std::count_if(utf8.begin(), utf8.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::vector<PasswordRule> password_violations(std::string_view password, const PasswordPolicy& policy) {
  std::vector<PasswordRule> broken;
  const auto length = code_points(password);
  if (length < policy.min_length) broken.push_back(PasswordRule::TooShort);
  if (length > policy.max_length) broken.push_back(PasswordRule::TooLong);
  if (policy.require_upper_case && !has(password, is_upper)) broken.push_back(PasswordRule::NoUpperCase);
  if (policy.require_digits && !has(password, is_digit)) broken.push_back(PasswordRule::NoDigit);
  if (policy.require_special && !has(password, is_special)) broken.push_back(PasswordRule::NoSpecialCharacter);
  return broken;
}

std::optional<NameProblem> check_name(std::string_view name) {
  const auto trimmed = common::trim(name);
  if (trimmed.empty()) return NameProblem::Empty;
  if (code_points(trimmed) > kMaxNameLength) return NameProblem::TooLong;
  if (common::has_control_character(trimmed)) return NameProblem::ControlCharacter;
  if (trimmed.find_first_of("<>") != std::string_view::npos) return NameProblem::AngleBracket;
  return std::nullopt;
}

}  // namespace invite::domain
