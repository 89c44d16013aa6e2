#pragma once
// A small synchronous HTTP/1.1 client: one connection per call, one deadline for the whole exchange. For the
// devstack's readiness probe and the tests; Beast stays inside libs/http.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invite/common/result.hpp"

namespace invite::http {

struct ClientReply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // First value of a header, matched case-insensitively; "" when absent.
  std::string header(std::string_view name) const;
};

// Sends one request and reads its response within `timeout` (resolve, connect, write and read together). Sets
// Host when the caller did not (brackets around IPv6 addresses), and Content-Length when there is a body (or the
// method is POST, PUT or PATCH) and the caller did not. Any HTTP status is a reply; an error is a transport failure
// ("connect: Connection refused", "incomplete response").
common::Result<ClientReply> send_request(const std::string& host, std::uint16_t port, const std::string& method,
                                         const std::string& target,
                                         const std::vector<std::pair<std::string, std::string>>& headers = {},
                                         const std::string& body = "",
                                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// A port that was free on `address` a moment ago (bound to port 0, then released), or nullopt. Another process may
// take it meanwhile: prefer letting the server bind port 0 where it can report the port.
std::optional<std::uint16_t> free_port(const std::string& address = "127.0.0.1");

}  // namespace invite::http
