// A blocking HTTP GET with an overall timeout, for the devstack's readiness probe, and a free port for the
// gateway. Beast and Asio stay in this file.
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <optional>
#include <string>

namespace invite::devstack {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// The status of GET http://host:port/target, or nullopt when there is no answer within timeout. Asynchronous
// operations driven by run_for give the whole exchange a deadline, which blocking socket calls cannot.
std::optional<unsigned> http_get_status(const std::string& host, unsigned short port, const std::string& target,
                                        std::chrono::milliseconds timeout) {
  asio::io_context io;
  asio::ip::tcp::resolver resolver(io);
  beast::tcp_stream stream(io);
  beast::flat_buffer buffer;
  http::request<http::empty_body> request(http::verb::get, target, 11);
  request.set(http::field::host, host + ":" + std::to_string(port));
  request.set(http::field::connection, "close");
  http::response<http::string_body> response;
  std::optional<unsigned> status;

  stream.expires_after(timeout);
  resolver.async_resolve(host, std::to_string(port), [&](beast::error_code ec, asio::ip::tcp::resolver::results_type results) {
    if (ec) return;
    stream.async_connect(results, [&](beast::error_code connect_ec, const asio::ip::tcp::endpoint&) {
      if (connect_ec) return;
      http::async_write(stream, request, [&](beast::error_code write_ec, std::size_t) {
        if (write_ec) return;
        http::async_read(stream, buffer, response, [&](beast::error_code read_ec, std::size_t) {
          if (!read_ec) status = response.result_int();
        });
      });
    });
  });
  io.run_for(timeout + std::chrono::milliseconds(100));
  return status;
}

// A port that is free on address right now (bound to port 0, then released), or nullopt.
std::optional<unsigned short> pick_free_port(const std::string& address) {
  asio::io_context io;
  beast::error_code ec;
  const auto ip = asio::ip::make_address(address, ec);
  if (ec) return std::nullopt;
  asio::ip::tcp::acceptor acceptor(io);
  const asio::ip::tcp::endpoint endpoint(ip, 0);
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.bind(endpoint, ec);
  if (ec) return std::nullopt;
  const unsigned short port = acceptor.local_endpoint(ec).port();
  if (ec) return std::nullopt;
  return port;
}

}  // namespace invite::devstack
