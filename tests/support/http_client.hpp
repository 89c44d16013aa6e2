#pragma once
// A small synchronous HTTP/1.1 client for tests: one connection per call, no Beast in the interface.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace invite::testing {

struct HttpReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First value of a header, matched case-insensitively; "" when absent.
  std::string header(std::string_view name) const;
};

// Sends one request and reads its response within `timeout` (connect, write and read together). Sets Host when
// the caller did not, and Content-Length when there is a body (or the method is POST, PUT or PATCH) and the
// caller did not. nullopt on any transport failure, with the reason in *error when given.
std::optional<HttpReply> http_request(const std::string& host, std::uint16_t port, const std::string& method,
                                      const std::string& target,
                                      const std::vector<std::pair<std::string, std::string>>& headers = {},
                                      const std::string& body = "",
                                      std::chrono::milliseconds timeout = std::chrono::seconds(30),
                                      std::string* error = nullptr);

// A port that was free a moment ago on 127.0.0.1, for tests that must hand a port to a child process. Prefer
// binding port 0 directly where the code under test allows it: another process may take the port meanwhile.
std::uint16_t free_port();

}  // namespace invite::testing
