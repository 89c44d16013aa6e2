#pragma once
// How ASP.NET Core's web defaults bind a JSON body, as DocSpace's clients rely on it: property names in any case
// (the web client sends `encemail`, generated SDKs `encEmail`), numbers also as numeric strings ("emplType":"1"),
// booleans only as true/false. Shared by every body parser of the gateway. nlohmann is only forward-declared here.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace invite::gateway {

using Json = nlohmann::ordered_json;  // ordered: of several spellings of a property, the last one written wins

struct ValidationErrors;

// The property `name` of an object in any case; when several spellings are present the last one wins. nullptr when
// absent (or when `object` is not an object).
const Json* member(const Json& object, std::string_view name);
// Present and not null.
bool present(const Json* value);

// An integer, or a string of one ("-"? digits, nothing else, as System.Text.Json's AllowReadingFromString reads
// it). nullopt for anything else: fractions, booleans, out-of-range values, " 1", "1e2".
std::optional<std::int64_t> integer_value(const Json& value);
// A string's text; nullptr for any other JSON type.
const std::string* string_value(const Json& value);
// true/false only (ASP.NET does not read booleans from strings).
std::optional<bool> bool_value(const Json& value);

inline constexpr std::size_t kMaxBodyDepth = 64;  // System.Text.Json's default MaxDepth

// Parses a request body that must be a JSON object. On failure adds one error under "$" and returns false:
// not JSON (a NUL byte included, see json_text.hpp), not an object, nested deeper than kMaxBodyDepth, or an object
// with a property name twice in any case ({"email":..,"Email":..}): ASP.NET would take the last one, which lets two
// readers of one body (a proxy and us) disagree; a DocSpace client never sends one, so it is refused.
bool parse_object_body(std::string_view text, Json& document, ValidationErrors& errors);

// "The JSON value could not be converted to <type>." - System.Text.Json's words, keyed "$.<path>".
std::string conversion_error(std::string_view type);

}  // namespace invite::gateway
