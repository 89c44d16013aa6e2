#include "invite/http/server.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cassert>
#include <csignal>
#include <cstdio>
#include <ctime>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "invite/common/log.hpp"
#include "invite/common/text.hpp"
#include "invite/http/error_envelope.hpp"

namespace invite::http {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;
using common::iequals;

// IMF-fixdate (RFC 7231 7.1.1.1). Formatted by hand: strftime's %a/%b follow the process locale.
std::string http_date(std::chrono::system_clock::time_point now) {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7], tm.tm_mday,
                kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

Response default_transport_error(int status) {
  if (status == 413) return json_error(413, "Request entity too large", "PayloadTooLarge");
  if (status == 431) return json_error(431, "Request header fields too large", "RequestHeaderFieldsTooLarge");
  if (status == 501) return json_error(501, "Transfer-Encoding not implemented", "NotImplemented");
  if (status == 500) return json_error(500, "Internal server error", "Internal");
  return json_error(status, "Bad request", "BadRequest");
}

// Shared by the server and every Respond it hands out, so that a Respond outliving the server can tell, under
// the lock, that the io_context is gone and it must not post to it.
struct Life {
  std::mutex mu;
  bool alive = true;
};

class Session;

// Room in the read buffer beyond a maximal header, for the reads that bring it in.
constexpr std::size_t kReadSlack = std::size_t{16} * 1024;

struct Core {
  Core(ServerOptions opts, Handler h)
      : options(std::move(opts)),
        handler(std::move(h)),
        acceptor(asio::make_strand(ioc)),
        accept_retry(acceptor.get_executor()) {
    if (!options.transport_error) options.transport_error = default_transport_error;
    if (options.threads < 1) options.threads = 1;
  }

  ServerOptions options;
  Handler handler;
  std::shared_ptr<Life> life = std::make_shared<Life>();
  // Declared before everything holding sockets or timers: those must be destroyed first.
  asio::io_context ioc;
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry;
  std::optional<asio::signal_set> termination_signals;
  std::atomic<std::uint16_t> bound_port{0};
  std::atomic<bool> stopping{false};

  // Keeps sessions alive while no I/O is pending on them (waiting for the handler's response), and lets stop
  // find them.
  std::mutex sessions_mu;
  std::unordered_map<Session*, std::shared_ptr<Session>> sessions;

  void do_accept();
  void remove(Session* s) {
    std::shared_ptr<Session> doomed;  // released after the lock, the destructor may be non-trivial
    std::lock_guard lock(sessions_mu);
    auto it = sessions.find(s);
    if (it == sessions.end()) return;
    doomed = std::move(it->second);
    sessions.erase(it);
  }
  void close_all_sessions();
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  // The read buffer is bounded too: Beast buffers a chunk's size line with its extensions whole, and does not
  // count them against the body limit, so an endless extension would otherwise grow it without end.
  Session(Core& core, tcp::socket socket, std::string remote)
      : core_(core),
        stream_(std::move(socket)),
        buffer_(core.options.header_limit + kReadSlack),
        remote_(std::move(remote)) {}

  asio::any_io_executor executor() { return stream_.get_executor(); }

  void start() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->next_request(); });
  }

  // The handler's answer for request `seq`; runs on the strand.
  void deliver(std::uint64_t seq, Response response) {
    if (!awaiting_ || seq != seq_ || closed_) return;
    awaiting_ = false;
    // A stopping server should not invite more requests on this connection.
    if (core_.stopping.load()) keep_alive_ = false;
    write(std::move(response), keep_alive_, false);
  }

  // Every copy of the Respond for request `seq` was dropped without answering: nothing will ever be written,
  // and the client is better off with a closed connection than waiting for its own timeout.
  void abandon(std::uint64_t seq) {
    if (!awaiting_ || seq != seq_ || closed_) return;
    awaiting_ = false;
    close();
  }

  // Only once no thread runs the io_context: there is no strand to go through any more.
  void force_close() {
    closed_ = true;
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.socket().close(ec);
  }

 private:
  void next_request() {
    head_ = false;
    parser_.emplace();
    parser_->body_limit(static_cast<std::uint64_t>(core_.options.body_limit));
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<std::size_t>(core_.options.header_limit, std::numeric_limits<std::uint32_t>::max())));
    if (first_ || buffer_.size() > 0) {
      // A new connection exists to send a request: waiting for it is part of the read timeout.
      first_ = false;
      stream_.expires_after(core_.options.read_timeout);
      read_header();
      return;
    }
    // Between keep-alive requests the idle timeout applies until the next request's first byte arrives; from
    // there on the whole request must arrive within the read timeout.
    stream_.expires_after(core_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096), [self = shared_from_this()](error_code ec, std::size_t n) {
      if (ec) return self->close();
      self->buffer_.commit(n);
      self->stream_.expires_after(self->core_.options.read_timeout);
      self->read_header();
    });
  }

  void read_header() {
    bhttp::async_read_header(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->on_read_error(ec);
      auto& msg = self->parser_->get();
      if (const auto refused = self->refuse_head(msg)) return self->write_transport_error(*refused);
      // Clients like curl hold back larger bodies until told to go on; without this they stall for a second.
      if (iequals(msg[bhttp::field::expect], "100-continue") && !self->parser_->is_done()) {
        auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, 11);
        bhttp::async_write(self->stream_, *cont, [self, cont](error_code wec, std::size_t) {
          if (wec) return self->close();
          self->read_body();
        });
        return;
      }
      self->read_body();
    });
  }

  // What Beast lets through but a server must not act on (RFC 9112 3.2, 6.1): the status to answer, if any.
  std::optional<int> refuse_head(const bhttp::request<bhttp::string_body>& msg) const {
    if (static_cast<std::size_t>(std::distance(msg.begin(), msg.end())) > core_.options.max_header_fields) return 431;
    // The portal is the Host: with two of them, a proxy in front and this server could pick different tenants.
    const auto hosts =
        std::distance(msg.equal_range(bhttp::field::host).first, msg.equal_range(bhttp::field::host).second);
    if (hosts > 1 || (hosts == 0 && msg.version() >= 11)) return 400;
    // Beast decodes "chunked" only. Another coding would hand the handler a body it cannot read; "chunked" not
    // last leaves the body's end undefined, and whatever followed would be read as the next request (smuggling).
    const auto codings = msg.equal_range(bhttp::field::transfer_encoding);
    if (codings.first != codings.second &&
        (std::next(codings.first) != codings.second || !iequals(common::trim(codings.first->value()), "chunked"))) {
      return 501;
    }
    return std::nullopt;
  }

  void read_body() {
    bhttp::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->on_read_error(ec);
      self->dispatch_request();
    });
  }

  void on_read_error(error_code ec) {
    if (ec == bhttp::error::body_limit) return write_transport_error(413);
    if (ec == bhttp::error::header_limit) return write_transport_error(431);
    const bool parse_error = ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                             ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message &&
                             ec != bhttp::error::short_read;
    if (parse_error) return write_transport_error(400);
    // Timeouts, resets, the client closing between or in the middle of requests: nobody to answer.
    close();
  }

  void write_transport_error(int status) {
    Response r = core_.options.transport_error(status);
    write(std::move(r), false, true);
  }

  void dispatch_request() {
    auto msg = parser_->release();
    parser_.reset();
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    head_ = msg.method() == bhttp::verb::head;

    Request request;
    request.method = std::string(msg.method_string());
    request.target = std::string(msg.target());
    request.headers.reserve(static_cast<std::size_t>(std::distance(msg.begin(), msg.end())));
    for (const auto& field : msg) request.headers.emplace_back(field.name_string(), field.value());
    request.body = std::move(msg.body());
    request.remote_address = remote_;

    ++seq_;
    awaiting_ = true;
    // The handler's time is not the client's fault; its deadlines are the handler's business.
    stream_.expires_never();

    auto state = std::make_shared<RespondState>(core_.life, weak_from_this(), seq_);
    auto respond = [state](Response response) { state->respond(std::move(response)); };
    try {
      core_.handler(std::move(request), respond);
    } catch (const std::exception& e) {
      // One request's failure must not take down the process and every other request in flight with it. If the
      // handler had already answered, this second answer is ignored.
      common::log_error("request handler failed", {{"error", std::string(e.what())}});
      respond(core_.options.transport_error(500));
    }
  }

  void write(Response r, bool keep_alive, bool linger) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>();
    res->version(version_);
    if (r.status < 100 || r.status > 999) {
      assert(false && "handler produced an invalid status code");
      r.status = 500;
    }
    res->result(static_cast<unsigned>(r.status));
    for (auto& [name, value] : r.headers) {
      if (iequals(name, "Content-Length") || iequals(name, "Date") || iequals(name, "Server") ||
          iequals(name, "Connection") || iequals(name, "Transfer-Encoding"))
        continue;
      // A line break in a header would let a value smuggle in headers of its own.
      if (name.empty() || name.find_first_of("\r\n:") != std::string::npos ||
          value.find_first_of("\r\n") != std::string::npos)
        continue;
      res->insert(name, value);
    }
    res->set(bhttp::field::server, core_.options.server_name);
    res->set(bhttp::field::date, http_date(std::chrono::system_clock::now()));
    const auto cls = bhttp::to_status_class(res->result_int());
    const bool bodiless = cls == bhttp::status_class::informational || r.status == 204 || r.status == 304;
    if (!bodiless) res->body() = std::move(r.body);
    res->keep_alive(keep_alive);
    res->prepare_payload();
    // The answer to HEAD keeps the Content-Length a GET would get but sends no body: the client reads none.
    if (head_) res->body().clear();

    stream_.expires_after(core_.options.read_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res, linger](error_code ec, std::size_t) {
      if (ec) return self->close();
      if (linger) return self->linger_close();
      if (!res->keep_alive() || res->need_eof()) return self->graceful_close();
      self->next_request();
    });
  }

  // After an error answered before the request was fully read the client may still be sending: closing with
  // unread data would reset the connection and could destroy the response before the client reads it. Stop
  // sending, discard whatever arrives for a short while, then close.
  void linger_close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.expires_after(std::min<std::chrono::milliseconds>(core_.options.read_timeout, std::chrono::seconds(2)));
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(scratch_), [self = shared_from_this()](error_code ec, std::size_t) {
      if (ec) return self->close();
      self->drain();
    });
  }

  void graceful_close() {
    error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    awaiting_ = false;
    stream_.close();
    core_.remove(this);
  }

  struct RespondState {
    RespondState(std::shared_ptr<Life> l, std::weak_ptr<Session> s, std::uint64_t n)
        : life(std::move(l)), session(std::move(s)), seq(n) {}
    RespondState(const RespondState&) = delete;
    RespondState& operator=(const RespondState&) = delete;
    ~RespondState() {
      if (!done.exchange(true)) post([n = seq](Session& s) { s.abandon(n); });
    }

    void respond(Response response) {
      if (done.exchange(true)) return;  // a second call is a handler bug, but must not corrupt the stream
      post([n = seq, r = std::move(response)](Session& s) mutable { s.deliver(n, std::move(r)); });
    }

    template <class F>
    void post(F f) {
      std::lock_guard lock(life->mu);
      if (!life->alive) return;
      std::shared_ptr<Session> s = session.lock();
      if (!s) return;  // the connection is gone; the answer has nowhere to go
      auto ex = s->executor();
      asio::post(ex, [s = std::move(s), f = std::move(f)]() mutable { f(*s); });
    }

    std::shared_ptr<Life> life;
    std::weak_ptr<Session> session;
    std::uint64_t seq;
    std::atomic<bool> done{false};
  };

  Core& core_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::string remote_;
  std::array<char, 4096> scratch_{};
  bool first_ = true;
  bool keep_alive_ = false;
  unsigned version_ = 11;
  bool head_ = false;  // the request being answered is a HEAD
  std::uint64_t seq_ = 0;
  bool awaiting_ = false;
  bool closed_ = false;
};

void Core::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open() || stopping.load()) return;
    if (ec) {
      // Typically out of file descriptors: retrying at once would spin, giving up would stop serving for good.
      accept_retry.expires_after(std::chrono::milliseconds(100));
      accept_retry.async_wait([this](error_code wec) {
        if (!wec) do_accept();
      });
      return;
    }
    error_code opt_ec;
    socket.set_option(tcp::no_delay(true), opt_ec);
    error_code ep_ec;
    auto remote = socket.remote_endpoint(ep_ec);
    auto session =
        std::make_shared<Session>(*this, std::move(socket), ep_ec ? std::string() : remote.address().to_string());
    {
      std::lock_guard lock(sessions_mu);
      sessions.emplace(session.get(), session);
    }
    session->start();
    do_accept();
  });
}

void Core::close_all_sessions() {
  std::unordered_map<Session*, std::shared_ptr<Session>> all;
  {
    std::lock_guard lock(sessions_mu);
    all.swap(sessions);
  }
  for (auto& [ptr, session] : all) session->force_close();
}

}  // namespace

struct Server::Impl {
  Impl(ServerOptions options, Handler handler) : core(std::move(options), std::move(handler)) {}
  ~Impl() {
    {
      std::lock_guard lock(core.life->mu);
      core.life->alive = false;
    }
    core.close_all_sessions();
    // Members go next; queued handlers (holding sessions, maybe Responds) are destroyed with the io_context.
  }
  Core core;
};

Server::Server(ServerOptions options, Handler handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() = default;

common::Result<> Server::listen() {
  Core& c = impl_->core;
  error_code ec;
  const auto address = asio::ip::make_address(c.options.address, ec);
  if (ec) return common::fail("invalid listen address '" + c.options.address + "': " + ec.message());
  const tcp::endpoint endpoint(address, c.options.port);
  const std::string where = c.options.address + ":" + std::to_string(c.options.port);
  if (c.acceptor.open(endpoint.protocol(), ec); ec)
    return common::fail("cannot open socket for " + where + ": " + ec.message());
  if (c.acceptor.set_option(asio::socket_base::reuse_address(true), ec); ec)
    return common::fail("cannot set SO_REUSEADDR on " + where + ": " + ec.message());
  if (c.acceptor.bind(endpoint, ec); ec) {
    error_code ignored;
    c.acceptor.close(ignored);
    return common::fail("cannot bind " + where + ": " + ec.message());
  }
  if (c.acceptor.listen(asio::socket_base::max_listen_connections, ec); ec) {
    error_code ignored;
    c.acceptor.close(ignored);
    return common::fail("cannot listen on " + where + ": " + ec.message());
  }
  c.bound_port = c.acceptor.local_endpoint(ec).port();
  asio::post(c.acceptor.get_executor(), [&c] { c.do_accept(); });
  return {};
}

std::uint16_t Server::port() const { return impl_->core.bound_port.load(); }

void Server::run() {
  Core& c = impl_->core;
  // Only stop() ends the serving, not a moment without pending work.
  auto guard = asio::make_work_guard(c.ioc);
  std::vector<std::thread> extra;
  for (int i = 1; i < c.options.threads; ++i) extra.emplace_back([&c] { c.ioc.run(); });
  c.ioc.run();
  for (auto& t : extra) t.join();
  // No thread runs the io_context any more, so the sockets can be closed from here without a strand; clients
  // still waiting on an answer see the connection end instead of hanging.
  c.close_all_sessions();
}

void Server::stop() {
  Core& c = impl_->core;
  if (c.stopping.exchange(true)) return;
  asio::post(c.acceptor.get_executor(), [&c] {
    error_code ec;
    c.acceptor.close(ec);
    c.accept_retry.cancel();
    c.ioc.stop();
  });
}

void Server::schedule(std::chrono::milliseconds delay, std::function<void()> fn) {
  auto timer = std::make_shared<asio::steady_timer>(impl_->core.ioc, delay);
  // The handler owns the timer; both go away when it runs or when the io_context is destroyed.
  timer->async_wait([timer, fn = std::move(fn)](error_code ec) {
    if (!ec) fn();
  });
}

void Server::on_termination_signal(std::function<void(int)> fn) {
  Core& c = impl_->core;
  c.termination_signals.emplace(c.ioc, SIGINT, SIGTERM);
  c.termination_signals->async_wait([fn = std::move(fn)](error_code ec, int signo) {
    if (!ec) fn(signo);
  });
}

}  // namespace invite::http
