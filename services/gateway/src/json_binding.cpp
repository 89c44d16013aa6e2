#include "json_binding.hpp"

#include <charconv>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "invite/common/json_text.hpp"
#include "invite/common/text.hpp"
#include "invite_request.hpp"

namespace invite::gateway {

const Json* member(const Json& object, std::string_view name) {
  if (!object.is_object()) return nullptr;
  const Json* found = nullptr;
  for (const auto& item : object.items()) {
    if (common::iequals(item.key(), name)) found = &item.value();
  }
  return found;
}

bool present(const Json* value) { return value != nullptr && !value->is_null(); }

std::optional<std::int64_t> integer_value(const Json& value) {
  if (value.is_number_unsigned()) {
    const auto number = value.get<std::uint64_t>();
    if (number > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(number);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  if (text.empty() || text.front() == '+') return std::nullopt;
  std::int64_t number = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), number);
  if (error != std::errc{} || end != text.data() + text.size()) return std::nullopt;
  return number;
}

const std::string* string_value(const Json& value) {
  return value.is_string() ? &value.get_ref<const std::string&>() : nullptr;
}

std::optional<bool> bool_value(const Json& value) {
  if (!value.is_boolean()) return std::nullopt;
  return value.get<bool>();
}

bool parse_object_body(std::string_view text, Json& document, ValidationErrors& errors) {
  if (text.find('\0') != std::string_view::npos) {
    errors.add("$", "The request body is not valid JSON.");
    return false;
  }
  std::vector<std::set<std::string>> open_objects;  // lower-cased names seen, per object being read
  std::size_t depth = 0;
  bool too_deep = false;
  std::optional<std::string> duplicate;
  const auto watch = [&](int /*depth*/, nlohmann::detail::parse_event_t event, Json& parsed) {
    using Event = nlohmann::detail::parse_event_t;
    switch (event) {
      case Event::object_start:
        open_objects.emplace_back();
        [[fallthrough]];
      case Event::array_start:
        if (++depth > kMaxBodyDepth) too_deep = true;
        break;
      case Event::object_end:
        if (!open_objects.empty()) open_objects.pop_back();
        [[fallthrough]];
      case Event::array_end:
        --depth;
        break;
      case Event::key:
        if (!open_objects.empty() && !duplicate &&
            !open_objects.back().insert(common::ascii_lower(parsed.get_ref<const std::string&>())).second) {
          duplicate = parsed.get<std::string>();
        }
        break;
      case Event::value:
        break;
    }
    return true;
  };
  document = Json::parse(text, watch, /*allow_exceptions=*/false);
  if (document.is_discarded() || !document.is_object()) {
    errors.add("$", "The request body is not valid JSON.");
    return false;
  }
  if (too_deep) {
    errors.add("$", "The JSON nesting is deeper than the maximum of " + std::to_string(kMaxBodyDepth) + ".");
    return false;
  }
  if (duplicate) {
    constexpr std::size_t kShown = 64;  // the name is the client's: echo a bounded part of it
    const auto shown = duplicate->size() > kShown ? duplicate->substr(0, kShown) + "..." : *duplicate;
    errors.add("$", "The JSON object contains the property '" + shown + "' more than once.");
    return false;
  }
  return true;
}

std::string conversion_error(std::string_view type) {
  return "The JSON value could not be converted to " + std::string(type) + ".";
}

}  // namespace invite::gateway
