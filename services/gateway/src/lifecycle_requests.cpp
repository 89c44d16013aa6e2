#include "lifecycle_requests.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"
#include "json_binding.hpp"
#include "query_string.hpp"

namespace invite::gateway {
namespace {

using domain::EmployeeType;
using domain::LinkValues;

// The confirmation kinds of DocSpace's ConfirmType that may be named; only LinkInvite (1) is served here.
constexpr std::string_view kLinkInvite = "LinkInvite";
constexpr std::int64_t kLinkInviteNumber = 1;

std::string required(std::string_view field) { return "The " + std::string(field) + " field is required."; }

// A text field: absent or null -> nullopt; present and not a string -> error under "$.<name>".
std::optional<std::string> text_field(const Json& document, std::string_view name, ValidationErrors& errors) {
  const Json* value = member(document, name);
  if (!present(value)) return std::nullopt;
  if (const auto* text = string_value(*value)) return *text;
  errors.add("$." + std::string(name), conversion_error("System.String"));
  return std::nullopt;
}

// emplType / type: a number 0..4, a numeric string, or (as ASP.NET's enum converter reads it) a type name.
// The outer nullopt: present but not a type.
std::optional<std::optional<EmployeeType>> type_field(const Json* value) {
  if (!present(value)) return std::optional<EmployeeType>{};
  if (const auto* text = string_value(*value)) {
    if (auto type = domain::employee_type_from_name(*text)) return type;
  }
  if (const auto number = integer_value(*value)) {
    if (auto type = domain::employee_type_from_number(*number)) return type;
  }
  return std::nullopt;
}

// The link's values from anything that can be looked up by name (a JSON body or a query string). A control
// character (a JSON "\u0000" included) is in no key, address or encrypted address the worker ever issued: it is
// refused here instead of travelling to the worker only to check as Invalid.
template <class Lookup>
LinkValues read_link(const Lookup& lookup, ValidationErrors& errors) {
  LinkValues link;
  if (auto key = lookup.text("key"); !key || key->empty()) {
    if (!lookup.wrong_type("key")) errors.add("Key", required("Key"));
  } else if (key->size() > kMaxKeyLength) {
    errors.add("Key", "The Key is too long.");
  } else if (common::has_control_character(*key)) {
    errors.add("Key", "The Key must not contain control characters.");
  } else {
    link.key = std::move(*key);
  }
  link.email = lookup.text("email");
  link.encemail = lookup.text("encemail");
  if (link.email && link.email->empty()) link.email.reset();
  if (link.encemail && link.encemail->empty()) link.encemail.reset();
  if (!link.email && !link.encemail) {
    if (!lookup.wrong_type("email") && !lookup.wrong_type("encemail")) {
      errors.add("Email", "The Email or EncEmail field is required.");
    }
  } else if (link.email && (link.email->size() > 255 || common::has_control_character(*link.email))) {
    errors.add("Email", "Incorrect email");
  } else if (link.encemail && link.encemail->size() > kMaxEncemailLength) {
    errors.add("EncEmail", "The EncEmail is too long.");
  } else if (link.encemail && common::has_control_character(*link.encemail)) {
    errors.add("EncEmail", "The EncEmail must not contain control characters.");
  }
  if (const auto type = lookup.type("emplType"); !type) {
    errors.add("$.emplType", conversion_error("EmployeeType"));
  } else {
    link.type = *type;
  }
  // uid is not signed, so it decides nothing on its own: one that is not a user id is left out, not refused.
  if (auto uid = lookup.text("uid"); uid && common::is_uuid(*uid)) link.inviter_id = common::ascii_lower(*uid);
  return link;
}

// ConfirmType from a body or query value: "LinkInvite" in any case, 1 or "1". Adds its error and returns false.
bool check_confirm_type(const std::optional<std::string>& text, std::optional<std::int64_t> number, bool is_present,
                        ValidationErrors& errors) {
  if (!is_present) {
    errors.add("Type", required("Type"));
    return false;
  }
  if ((text && common::iequals(*text, kLinkInvite)) || number == kLinkInviteNumber) return true;
  errors.add("Type", "Only LinkInvite links are confirmed here.");
  return false;
}

struct BodyLookup {
  const Json& document;
  ValidationErrors& errors;

  std::optional<std::string> text(std::string_view name) const { return text_field(document, name, errors); }
  bool wrong_type(std::string_view name) const {
    const Json* value = member(document, name);
    return present(value) && string_value(*value) == nullptr;
  }
  std::optional<std::optional<EmployeeType>> type(std::string_view name) const {
    return type_field(member(document, name));
  }
};

struct QueryLookup {
  const std::vector<QueryParameter>& parameters;

  const QueryParameter* find(std::string_view name) const {
    for (const auto& parameter : parameters) {
      if (common::iequals(parameter.name, name)) return &parameter;
    }
    return nullptr;
  }
  std::optional<std::string> text(std::string_view name) const {
    if (const auto* parameter = find(name)) return parameter->value;
    return std::nullopt;
  }
  static bool wrong_type(std::string_view /*name*/) { return false; }
  std::optional<std::optional<EmployeeType>> type(std::string_view name) const {
    const auto* parameter = find(name);
    if (parameter == nullptr || parameter->value.empty()) return std::optional<EmployeeType>{};
    const Json value(parameter->value);
    return type_field(&value);
  }
};

std::optional<std::string> culture_field(const Json& document, std::string_view name, std::string_view key,
                                         ValidationErrors& errors) {
  auto culture = text_field(document, name, errors);
  if (culture && !domain::is_valid_culture(*culture)) {
    errors.add(std::string(key), "Incorrect culture");
    return std::nullopt;
  }
  return culture;
}

void check_name_field(const std::string& name, std::string_view key, ValidationErrors& errors) {
  const auto problem = domain::check_name(name);
  if (!problem) return;
  const std::string field(key);
  switch (*problem) {
    case domain::NameProblem::Empty:
      errors.add(field, required(key));
      break;
    case domain::NameProblem::TooLong:
      errors.add(field, "The field " + field + " must be a string with a maximum length of 255.");
      break;
    case domain::NameProblem::ControlCharacter:
      errors.add(field, "The " + field + " must not contain control characters.");
      break;
    case domain::NameProblem::AngleBracket:
      errors.add(field, "The " + field + " must not contain '<' or '>'.");
      break;
  }
}

std::string password_message(domain::PasswordRule rule, const domain::PasswordPolicy& policy) {
  switch (rule) {
    case domain::PasswordRule::TooShort:
      return "The password must be at least " + std::to_string(policy.min_length) + " characters long.";
    case domain::PasswordRule::TooLong:
      return "The password must be at most " + std::to_string(policy.max_length) + " characters long.";
    case domain::PasswordRule::NoUpperCase:
      return "The password must contain an upper-case letter (A-Z).";
    case domain::PasswordRule::NoDigit:
      return "The password must contain a digit (0-9).";
    case domain::PasswordRule::NoSpecialCharacter:
      return "The password must contain a special character.";
  }
  return "The password does not meet the policy.";
}

// userIds of a body: absent/null -> nullopt (the caller decides whether that is an error).
std::optional<std::vector<std::string>> user_ids_field(const Json& document, ValidationErrors& errors) {
  const Json* ids = member(document, "userIds");
  if (!present(ids)) return std::nullopt;
  if (!ids->is_array()) {
    errors.add("$.userIds", conversion_error("System.Guid[]"));
    return std::nullopt;
  }
  if (ids->size() > kMaxUserIds) {
    errors.add("UserIds", "The field UserIds must be a string or array type with a maximum length of '" +
                              std::to_string(kMaxUserIds) + "'.");
    return std::nullopt;
  }
  std::vector<std::string> result;
  result.reserve(ids->size());
  for (std::size_t i = 0; i < ids->size(); ++i) {
    const auto* id = string_value((*ids)[i]);
    if (id == nullptr || !common::is_uuid(*id)) {
      errors.add("$.userIds[" + std::to_string(i) + "]", conversion_error("System.Guid"));
      continue;
    }
    auto lower = common::ascii_lower(*id);
    if (std::find(result.begin(), result.end(), lower) == result.end()) result.push_back(std::move(lower));
  }
  return result;
}

}  // namespace

boost::system::result<ConfirmRequest, ValidationErrors> parse_confirm_request(std::string_view body) {
  ValidationErrors errors;
  Json document;
  if (!parse_object_body(body, document, errors)) return errors;
  const Json* type = member(document, "type");
  const auto* type_text = present(type) ? string_value(*type) : nullptr;
  const auto type_number = present(type) ? integer_value(*type) : std::nullopt;
  if (present(type) && type_text == nullptr && !type_number) {
    errors.add("$.type", conversion_error("ConfirmType"));
  } else {
    check_confirm_type(type_text ? std::optional<std::string>(*type_text) : std::nullopt, type_number, present(type),
                       errors);
  }
  ConfirmRequest request;
  request.link = read_link(BodyLookup{document, errors}, errors);
  request.culture = culture_field(document, "culture", "Culture", errors);
  if (!errors.empty()) return errors;
  return request;
}

boost::system::result<domain::LinkValues, ValidationErrors> parse_confirm_header(std::string_view header) {
  ValidationErrors errors;
  auto parameters = parse_query_string(header, kMaxConfirmHeaderParameters);
  if (!parameters) {
    errors.add("confirm", parameters.error().message);
    return errors;
  }
  for (std::size_t i = 0; i < parameters->size(); ++i) {
    for (std::size_t j = 0; j < i; ++j) {
      if (common::iequals((*parameters)[i].name, (*parameters)[j].name)) {
        errors.add("confirm", "the parameter '" + (*parameters)[j].name + "' is given more than once");
        return errors;
      }
    }
  }
  const QueryLookup lookup{*parameters};
  const auto type = lookup.text("type");
  check_confirm_type(type, type == "1" ? std::optional<std::int64_t>(kLinkInviteNumber) : std::nullopt,
                     type.has_value(), errors);
  auto link = read_link(lookup, errors);
  if (!errors.empty()) return errors;
  return link;
}

boost::system::result<AcceptRequest, ValidationErrors> parse_accept_request(std::string_view body,
                                                                            const domain::PasswordPolicy& policy) {
  ValidationErrors errors;
  Json document;
  if (!parse_object_body(body, document, errors)) return errors;
  AcceptRequest request;

  const Json* from_link = member(document, "fromInviteLink");
  if (present(from_link) && !bool_value(*from_link)) {
    errors.add("$.fromInviteLink", conversion_error("System.Boolean"));
  } else if (!present(from_link) || !*bool_value(*from_link)) {
    errors.add("FromInviteLink", "Only accepting an invitation link is supported.");
  }

  if (!present(member(document, "email"))) {
    errors.add("Email", required("Email"));
  } else if (auto email = text_field(document, "email", errors)) {
    if (!domain::is_valid_email(*email)) {
      errors.add("Email", "Incorrect email");
    } else {
      request.email = std::move(*email);
    }
  }

  if (const auto type = type_field(member(document, "type")); !type || !*type) {
    errors.add("$.type", conversion_error("EmployeeType"));
  } else {
    request.type = **type;
  }

  if (!present(member(document, "key"))) {
    errors.add("Key", required("Key"));
  } else if (auto key = text_field(document, "key", errors)) {
    if (key->empty()) {
      errors.add("Key", required("Key"));
    } else if (key->size() > kMaxKeyLength) {
      errors.add("Key", "The Key is too long.");
    } else if (common::has_control_character(*key)) {
      errors.add("Key", "The Key must not contain control characters.");
    } else {
      request.key = std::move(*key);
    }
  }

  const auto first = text_field(document, "firstName", errors).value_or("");
  const auto last = text_field(document, "lastName", errors).value_or("");
  check_name_field(first, "FirstName", errors);
  check_name_field(last, "LastName", errors);
  request.first_name = std::string(common::trim(first));
  request.last_name = std::string(common::trim(last));

  auto password = text_field(document, "password", errors);
  auto hash = text_field(document, "passwordHash", errors);
  if (password && password->empty()) password.reset();
  if (hash && hash->empty()) hash.reset();
  if (password.has_value() == hash.has_value()) {
    errors.add("Password", "Send either Password or PasswordHash.");
  } else if (password) {
    for (const auto rule : domain::password_violations(*password, policy)) {
      errors.add("Password", password_message(rule, policy));
    }
    request.password = std::move(password);
  } else if (hash->size() > kMaxPasswordHashLength) {
    errors.add("PasswordHash", "The PasswordHash is too long.");
  } else {
    request.password_hash = std::move(hash);
  }

  request.culture = culture_field(document, "cultureName", "CultureName", errors);

  if (const Json* spam = member(document, "spam"); present(spam)) {
    if (const auto value = bool_value(*spam)) {
      request.spam = *value;
    } else {
      errors.add("$.spam", conversion_error("System.Boolean"));
    }
  }

  if (!errors.empty()) return errors;
  return request;
}

boost::system::result<ResendRequest, ValidationErrors> parse_resend_request(std::string_view body) {
  ValidationErrors errors;
  Json document;
  if (!parse_object_body(body, document, errors)) return errors;
  ResendRequest request;
  request.user_ids = user_ids_field(document, errors).value_or(std::vector<std::string>{});
  if (const Json* all = member(document, "resendAll"); present(all)) {
    if (const auto value = bool_value(*all)) {
      request.resend_all = *value;
    } else {
      errors.add("$.resendAll", conversion_error("System.Boolean"));
    }
  }
  if (!errors.empty()) return errors;
  return request;
}

boost::system::result<std::vector<std::string>, ValidationErrors> parse_user_ids_request(std::string_view body) {
  ValidationErrors errors;
  Json document;
  if (!parse_object_body(body, document, errors)) return errors;
  auto ids = user_ids_field(document, errors);
  if (!ids && errors.empty()) errors.add("UserIds", required("UserIds"));
  if (!errors.empty()) return errors;
  return std::move(*ids);
}

}  // namespace invite::gateway
