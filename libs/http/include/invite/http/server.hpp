#pragma once
// HTTP/1.1 server on Boost.Beast. Beast stays inside this library: handlers see plain Request/Response values,
// so request handling is a function that can be unit-tested without sockets.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "invite/common/result.hpp"

namespace invite::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query as sent
  HeaderList headers;
  std::string body;
  std::string remote_address;
  // First value of a header, matched case-insensitively; "" when absent.
  std::string_view header(std::string_view name) const;
  std::string_view path() const;  // target without the query
};

struct Response {
  int status = 200;
  HeaderList headers;  // Content-Length, Date, Server and Connection are set by the server
  std::string body;
  void set(std::string name, std::string value);  // replaces an existing header of that name
};

// Called exactly once per request, from any thread; the server writes the response on the session's strand.
using Respond = std::function<void(Response)>;
using Handler = std::function<void(Request, Respond)>;

// Exact-path routing on method and path; unknown path -> not_found(req), known path, other method ->
// method_not_allowed(req) (with Allow).
class Router {
 public:
  void add(std::string method, std::string path, Handler handler);
  void set_fallbacks(std::function<Response(const Request&)> not_found,
                     std::function<Response(const Request&, std::string_view allow)> method_not_allowed);
  void operator()(Request request, Respond respond) const;

 private:
  struct Route {
    std::string method, path;
    Handler handler;
  };
  std::vector<Route> routes_;
  std::function<Response(const Request&)> not_found_;
  std::function<Response(const Request&, std::string_view)> method_not_allowed_;
};

struct ServerOptions {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8080;  // 0: any free port, see Server::port()
  int threads = 2;
  std::size_t body_limit =
      std::size_t{1024} * 1024;  // larger bodies get transport_error(413) and the connection closes
  // Request line and header fields together, and the number of fields; beyond either: transport_error(431), close.
  std::size_t header_limit = std::size_t{32} * 1024;
  std::size_t max_header_fields = 100;
  // A request (header and body) must arrive within read_timeout of its first byte, else the connection closes
  // unanswered: a client trickling bytes (slowloris) holds a connection no longer than that.
  std::chrono::milliseconds read_timeout{std::chrono::seconds(30)};
  std::chrono::milliseconds idle_timeout{std::chrono::seconds(60)};  // keep-alive connection with no request
  std::string server_name = "invite-gateway";
  // Builds the responses the server gives itself: 400 (unparseable request, no Host or several), 413 (body too
  // large), 431 (header too large or too many fields), 501 (a Transfer-Encoding other than "chunked") and 500
  // (the handler threw; the exception is logged).
  std::function<Response(int status)> transport_error;
};

class Server {
 public:
  Server(ServerOptions options, Handler handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens; an error ("cannot bind 0.0.0.0:8080: Address already in use") on failure. After it, port() is
  // the bound port.
  common::Result<> listen();
  std::uint16_t port() const;
  // Serves on options.threads threads until stop(); returns when all of them have finished.
  void run();
  // Request to stop, from any thread (not from a signal handler: it allocates and locks). Stops accepting and
  // ends run(); connections still open, answered or not, are closed as run() returns.
  void stop();
  // Runs fn after `delay` on the server's threads (used by handlers for deadlines). Safe from any thread.
  void schedule(std::chrono::milliseconds delay, std::function<void()> fn);
  // Calls fn(signo) on the server's threads for the first SIGINT or SIGTERM (a boost::asio::signal_set on its
  // io_context). From this call on those signals no longer end the process: one that arrives before run() waits
  // for it. Call once, before run().
  void on_termination_signal(std::function<void(int)> fn);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace invite::http
