#include "invite/http/client.hpp"

#include <algorithm>
#include <limits>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "invite/common/text.hpp"

namespace invite::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using common::iequals;

bool has_header(const std::vector<std::pair<std::string, std::string>>& headers, std::string_view name) {
  return std::any_of(headers.begin(), headers.end(), [&](const auto& h) { return iequals(h.first, name); });
}

}  // namespace

std::string ClientReply::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return value;
  }
  return {};
}

common::Result<ClientReply> send_request(const std::string& host, std::uint16_t port, const std::string& method,
                                         const std::string& target,
                                         const std::vector<std::pair<std::string, std::string>>& headers,
                                         const std::string& body, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;

  bhttp::request<bhttp::string_body> req;
  req.version(11);
  req.method_string(method);
  req.target(target);
  for (const auto& [name, value] : headers) req.insert(name, value);
  if (!has_header(headers, "Host")) {
    const std::string name = host.find(':') == std::string::npos ? host : "[" + host + "]";
    req.set(bhttp::field::host, name + ":" + std::to_string(port));
  }
  const bool wants_length = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
  if (wants_length && !has_header(headers, "Content-Length") && !has_header(headers, "Transfer-Encoding"))
    req.set(bhttp::field::content_length, std::to_string(body.size()));
  req.body() = body;

  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  parser.header_limit(64 * 1024);

  error_code failure;
  std::string stage;
  auto fail = [&](const char* where, error_code ec) {
    stage = where;
    failure = ec;
  };

  // One deadline for the whole exchange: tcp_stream applies it to every operation until changed.
  stream.expires_after(timeout);
  resolver.async_resolve(host, std::to_string(port), [&](error_code ec, tcp::resolver::results_type results) {
    if (ec) return fail("resolve", ec);
    stream.async_connect(results, [&](error_code cec, const tcp::endpoint&) {
      if (cec) return fail("connect", cec);
      bhttp::async_write(stream, req, [&](error_code wec, std::size_t) {
        if (wec) return fail("write", wec);
        bhttp::async_read(stream, buffer, parser, [&](error_code rec, std::size_t) {
          if (rec) return fail("read", rec);
        });
      });
    });
  });
  ioc.run();

  if (failure) return common::fail(stage + ": " + failure.message());
  if (!parser.is_done()) return common::fail("incomplete response");
  auto& res = parser.get();
  ClientReply reply;
  reply.status = static_cast<int>(res.result_int());
  for (const auto& field : res) reply.headers.emplace_back(field.name_string(), field.value());
  reply.body = std::move(res.body());
  error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
  return reply;
}

std::optional<std::uint16_t> free_port(const std::string& address) {
  asio::io_context ioc;
  error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return std::nullopt;
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(ip, 0);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec) return std::nullopt;
  const auto port = acceptor.local_endpoint(ec).port();
  if (ec) return std::nullopt;
  return port;
}

}  // namespace invite::http
