#include "invite_request.hpp"

#include <cstdint>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "invite/common/json_text.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"
#include "json_binding.hpp"

namespace invite::gateway {
namespace {

using domain::employee_type_from_name;
using domain::employee_type_from_number;
using domain::EmployeeType;
using domain::is_valid_culture;
using domain::is_valid_email;

constexpr std::string_view kIncorrectEmail = "Incorrect email";
constexpr std::string_view kBadType = "The JSON value could not be converted to EmployeeType.";

// Absent or null -> nullopt inside the optional; unconvertible -> outer nullopt.
std::optional<std::optional<EmployeeType>> parse_type(const Json* value) {
  if (!present(value)) return std::optional<EmployeeType>{};
  if (value->is_string()) {
    if (auto type = employee_type_from_name(value->get_ref<const std::string&>())) return type;
  }
  // Numbers, also as numeric strings ("4"), as ASP.NET's web defaults read them.
  if (const auto number = integer_value(*value)) {
    if (auto type = employee_type_from_number(*number)) return type;
  }
  return std::nullopt;  // floats, booleans, arrays, objects, other texts
}

}  // namespace

void ValidationErrors::add(std::string key, std::string message) {
  for (auto& [existing_key, messages] : errors) {
    if (existing_key == key) {
      messages.push_back(std::move(message));
      return;
    }
  }
  errors.emplace_back(std::move(key), std::vector<std::string>{std::move(message)});
}

void throw_exception_from_error(const ValidationErrors& errors, const boost::source_location& /*location*/) {
  throw std::logic_error("unchecked validation errors: " +
                         (errors.empty() ? std::string("none") : errors.errors.front().first));
}

boost::system::result<InviteRequest, ValidationErrors> parse_invite_request(std::string_view body,
                                                                            std::size_t max_invitations) {
  ValidationErrors errors;
  const Json document = common::parse_json_text<Json>(body);
  if (document.is_discarded() || !document.is_object()) {
    errors.add("$", "The request body is not valid JSON.");
    return errors;
  }

  InviteRequest request;
  const Json* invitations = member(document, "invitations");
  if (!present(invitations)) {
    errors.add("Invitations", "The Invitations field is required.");
  } else if (!invitations->is_array()) {
    errors.add("Invitations", "The Invitations field must be an array.");
  } else if (invitations->size() > max_invitations) {
    // Item errors of an oversized list would only bury the one that matters.
    errors.add("Invitations", "The field Invitations must be a string or array type with a maximum length of '" +
                                  std::to_string(max_invitations) + "'.");
  } else {
    request.invitations.reserve(invitations->size());
    for (std::size_t i = 0; i < invitations->size(); ++i) {
      const auto index = std::to_string(i);
      const Json& item = (*invitations)[i];
      if (!item.is_object()) {
        errors.add("Invitations[" + index + "].Email", std::string(kIncorrectEmail));
        continue;
      }
      // The seed's example wraps each invitation as {"value":{...}}.
      const Json* fields = &item;
      if (member(item, "email") == nullptr) {
        if (const Json* wrapped = member(item, "value"); wrapped != nullptr && wrapped->is_object()) fields = wrapped;
      }

      const Json* email = member(*fields, "email");
      const bool email_ok =
          present(email) && email->is_string() && is_valid_email(email->get_ref<const std::string&>());
      if (!email_ok) errors.add("Invitations[" + index + "].Email", std::string(kIncorrectEmail));

      const auto type = parse_type(member(*fields, "type"));
      if (!type) errors.add("$.invitations[" + index + "].type", std::string(kBadType));

      if (email_ok && type) {
        request.invitations.push_back(Invitation{email->get<std::string>(), effective_type(*type)});
      }
    }
  }

  if (const Json* culture = member(document, "culture"); present(culture)) {
    if (culture->is_string() && is_valid_culture(culture->get_ref<const std::string&>())) {
      request.culture = culture->get<std::string>();
    } else {
      errors.add("Culture", "Incorrect culture");
    }
  }

  if (!errors.empty()) return errors;
  return request;
}

}  // namespace invite::gateway
