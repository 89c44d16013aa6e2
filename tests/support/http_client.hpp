#pragma once
// The tests' HTTP client: libs/http's, under the names the tests use.
#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "invite/http/client.hpp"

namespace invite::testing {

using HttpReply = http::ClientReply;

inline common::Result<HttpReply> http_request(const std::string& host, std::uint16_t port, const std::string& method,
                                              const std::string& target,
                                              const std::vector<std::pair<std::string, std::string>>& headers = {},
                                              const std::string& body = "",
                                              std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  return http::send_request(host, port, method, target, headers, body, timeout);
}

}  // namespace invite::testing
