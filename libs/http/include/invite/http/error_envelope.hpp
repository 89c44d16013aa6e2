#pragma once
// The error body every service answers with, the gateway's DocSpace errors and this library's own (404, 405,
// 413, 431, 501, 503 not ready) alike, so a client parses one shape:
// {"error":{"message":"...","type":"<stable code>"},"status":1,"statusCode":N}. Never a stack trace.
#include <string>
#include <string_view>

#include "invite/http/server.hpp"

namespace invite::http {

// The body alone, for callers that choose the media type themselves (the gateway negotiates it).
std::string error_envelope(int status, std::string_view message, std::string_view type);
// The body as an application/json response.
Response json_error(int status, std::string_view message, std::string_view type);

}  // namespace invite::http
