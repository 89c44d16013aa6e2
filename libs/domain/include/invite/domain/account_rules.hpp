#pragma once
// What an accepting person may choose: the password (against the portal's policy) and the names.
//
// Password policy: DocSpace's PasswordSettings, whose defaults ask for a length of 8..120 and nothing else; upper
// case, digits and special characters are optional requirements a portal may switch on. Our decisions: length counts
// Unicode code points (the text is UTF-8, already checked by the JSON parser), not bytes; any character may appear;
// "upper case" is A-Z, "digit" 0-9, "special" any printable ASCII character that is neither a letter nor a digit
// (DocSpace's set: ! " # $ % & ' ( ) * + , - . / : ; < = > ? @ [ \ ] ^ _ ` { | } ~).
//
// Names (first and last), our decision since DocSpace's rules are loose and partly client-side: after trimming
// ASCII white space not empty, at most 255 code points, no control characters (C0, DEL, C1: they would reach
// e-mail headers and logs), no '<' or '>' (a name is shown in HTML and in e-mail display names).
#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace invite::domain {

struct PasswordPolicy {
  std::size_t min_length = 8;
  std::size_t max_length = 120;
  bool require_upper_case = false;
  bool require_digits = false;
  bool require_special = false;

  bool operator==(const PasswordPolicy&) const = default;
};

enum class PasswordRule { TooShort, TooLong, NoUpperCase, NoDigit, NoSpecialCharacter };

// Every rule the password breaks, in the order above; empty when it complies.
std::vector<PasswordRule> password_violations(std::string_view password, const PasswordPolicy& policy);

inline constexpr std::size_t kMaxNameLength = 255;

enum class NameProblem { Empty, TooLong, ControlCharacter, AngleBracket };

// The first problem of a first or last name, nullopt when it is acceptable.
std::optional<NameProblem> check_name(std::string_view name);

// Code points of a UTF-8 text (bytes that do not continue a sequence).
std::size_t code_points(std::string_view utf8);

}  // namespace invite::domain
