#pragma once
// The error body the services answer with everywhere, so a client parses one shape:
// {"error":{"message":"...","type":"<stable code>"},"status":1,"statusCode":N}.
#include <string_view>

#include "invite/http/server.hpp"

namespace invite::http::detail {

Response json_error(int status, std::string_view message, std::string_view type);

}  // namespace invite::http::detail
