#pragma once
// Shared by every reader of JSON from outside: event values (libs/events) and request bodies (the gateway).
// A template over the JSON type so that this header does not pull nlohmann into its includers.
#include <string_view>

namespace invite::common {

// nlohmann's parser takes a NUL byte for the end of the input and ignores whatever follows it, so
// `{"invitations":[]}\0<anything>` would parse. JSON text never holds a raw NUL (inside strings it must be
// escaped), so such a text is refused before parsing.
template <class Json>
Json parse_json_text(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) return Json(Json::value_t::discarded);
  return Json::parse(text, nullptr, /*allow_exceptions=*/false);
}

// The same text as parse_json_text, as nlohmann's SAX events to `sax` (an nlohmann::json_sax<Json>), for a
// decoder that builds no tree. False where parse_json_text returns a discarded value (`sax` has had no event
// if it is for a NUL), or where `sax` stopped the parse.
template <class Json, class Sax>
bool sax_parse_json_text(std::string_view text, Sax* sax) {
  if (text.find('\0') != std::string_view::npos) return false;
  return Json::sax_parse(text, sax);
}

}  // namespace invite::common
