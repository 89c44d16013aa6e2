// The server on real sockets (127.0.0.1, port 0). Raw connections check what a plain request helper cannot see:
// connection reuse, closing, timeouts and chunked uploads.
#include <gtest/gtest.h>

#include <stdexcept>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "invite/common/text.hpp"
#include "invite/http/server.hpp"
#include "support/http_client.hpp"

namespace invite::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using invite::testing::http_request;

ServerOptions test_options() {
  ServerOptions o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.threads = 2;
  o.server_name = "invite-test";
  return o;
}

Response text(int status, std::string body) {
  Response r;
  r.status = status;
  r.set("Content-Type", "text/plain");
  r.body = std::move(body);
  return r;
}

// Answers 200 "ok" and counts the requests that reached it (the server refuses the others itself).
Handler counting_ok(std::atomic<int>& handled) {
  return [&handled](Request, Respond respond) {
    ++handled;
    respond(text(200, "ok"));
  };
}

// A server running on its own thread for the duration of a test.
class Running {
 public:
  Running(ServerOptions options, Handler handler) : server_(std::move(options), std::move(handler)) {
    auto listening = server_.listen();
    EXPECT_TRUE(listening) << listening.error().message;
    thread_ = std::thread([this] { server_.run(); });
  }
  ~Running() { stop(); }
  // Returns whether run() came back within `limit`.
  bool stop(std::chrono::milliseconds limit = 5s) {
    if (!thread_.joinable()) return true;
    server_.stop();
    auto done = std::async(std::launch::async, [this] { thread_.join(); });
    if (done.wait_for(limit) != std::future_status::ready) {
      ADD_FAILURE() << "Server::run did not return after stop()";
      done.wait();  // the test fails either way, but must not leave a thread behind
      return false;
    }
    return true;
  }
  std::uint16_t port() const { return server_.port(); }
  Server& server() { return server_; }

 private:
  Server server_;
  std::thread thread_;
};

// A client connection under the test's control; every operation has a deadline so a broken server fails the
// test instead of hanging it.
class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) {
    stream_.expires_after(5s);
    stream_.async_connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
                          [this](beast::error_code ec) { ec_ = ec; });
    run();
    EXPECT_FALSE(ec_) << ec_.message();
  }

  bool send(const std::string& data) {
    stream_.expires_after(5s);
    asio::async_write(stream_, asio::buffer(data), [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    return !ec_;
  }

  // to_head: the answer to a HEAD request, which has no body whatever its Content-Length says.
  std::optional<bhttp::response<bhttp::string_body>> read_response(std::chrono::milliseconds limit = 5s,
                                                                   bool to_head = false) {
    bhttp::response_parser<bhttp::string_body> parser;
    parser.skip(to_head);
    stream_.expires_after(limit);
    bhttp::async_read(stream_, buffer_, parser, [this](beast::error_code ec, std::size_t) { ec_ = ec; });
    run();
    if (ec_) return std::nullopt;
    return parser.release();
  }

  // True when the server ended the connection (EOF or reset) within `limit`; anything it sent meanwhile is
  // discarded.
  bool closed_within(std::chrono::milliseconds limit) {
    stream_.expires_after(limit);
    for (;;) {
      char scratch[1024];
      stream_.async_read_some(asio::buffer(scratch), [this](beast::error_code ec, std::size_t) { ec_ = ec; });
      run();
      if (ec_ == beast::error::timeout) return false;
      if (ec_) return true;
    }
  }

  void close() { stream_.close(); }

 private:
  void run() {
    ioc_.restart();
    ioc_.run();
  }

  asio::io_context ioc_;
  beast::tcp_stream stream_{ioc_};
  beast::flat_buffer buffer_;
  beast::error_code ec_;
};

// "Sun, 06 Nov 1994 08:49:37 GMT" (RFC 7231 7.1.1.1).
bool is_imf_fixdate(std::string_view d) {
  static const std::string days = "Mon Tue Wed Thu Fri Sat Sun";
  static const std::string months = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec";
  auto digits = [&](std::size_t at, std::size_t n) {
    return std::all_of(d.begin() + static_cast<long>(at), d.begin() + static_cast<long>(at + n),
                       [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; });
  };
  return d.size() == 29 && days.find(d.substr(0, 3)) % 4 == 0 && d.substr(3, 2) == ", " && digits(5, 2) &&
         d[7] == ' ' && months.find(d.substr(8, 3)) % 4 == 0 && d[11] == ' ' && digits(12, 4) && d[16] == ' ' &&
         digits(17, 2) && d[19] == ':' && digits(20, 2) && d[22] == ':' && digits(23, 2) && d.substr(25) == " GMT";
}

std::string get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n" + extra + "\r\n";
}

TEST(ServerTest, GetRoundTripSetsServerDateAndContentLength) {
  std::promise<Request> seen;
  Running srv(test_options(), [&](Request req, Respond respond) {
    seen.set_value(req);
    Response r = text(200, "hello");
    r.set("X-Test", "yes");
    r.set("Content-Length", "999");  // the server knows better
    respond(std::move(r));
  });

  auto reply = http_request("127.0.0.1", srv.port(), "GET", "/hello?x=1");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "hello");
  EXPECT_EQ(reply->header("x-test"), "yes");
  EXPECT_EQ(reply->header("Content-Type"), "text/plain");
  EXPECT_EQ(reply->header("Content-Length"), "5");
  EXPECT_EQ(reply->header("Server"), "invite-test");
  EXPECT_TRUE(is_imf_fixdate(reply->header("Date"))) << reply->header("Date");

  auto req = seen.get_future().get();
  EXPECT_EQ(req.method, "GET");
  EXPECT_EQ(req.target, "/hello?x=1");
  EXPECT_EQ(req.path(), "/hello");
  EXPECT_EQ(req.remote_address, "127.0.0.1");
}

TEST(ServerTest, ThrowingHandlerGets500AndTheServerKeepsServing) {
  Running srv(test_options(), [](Request req, Respond respond) {
    if (req.path() == "/boom") throw std::runtime_error("boom");
    respond(text(200, "fine"));
  });
  auto failed = http_request("127.0.0.1", srv.port(), "GET", "/boom");
  ASSERT_TRUE(failed);
  EXPECT_EQ(failed->status, 500);
  EXPECT_EQ(failed->body,
            R"({"error":{"message":"Internal server error","type":"Internal"},"status":1,"statusCode":500})");
  auto next = http_request("127.0.0.1", srv.port(), "GET", "/fine");
  ASSERT_TRUE(next);
  EXPECT_EQ(next->status, 200);
}

TEST(ServerTest, BodyAndHeadersReachTheHandlerIntact) {
  std::promise<Request> seen;
  Running srv(test_options(), [&](Request req, Respond respond) {
    seen.set_value(req);
    respond(text(201, "got " + std::to_string(req.body.size())));
  });

  std::string body = R"({"invitations":[{"email":"a@b.com","type":"User"}]})";
  body += std::string("\0\r\n\xff", 4);
  auto reply = http_request("127.0.0.1", srv.port(), "POST", "/api/2.0/people/invite",
                            {{"Content-Type", "application/json"},
                             {"Cookie", "asc_auth_key=abc.def.ghi"},
                             {"X-Custom", "first"},
                             {"X-Custom", "second"}},
                            body);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 201);
  EXPECT_EQ(reply->body, "got " + std::to_string(body.size()));

  auto req = seen.get_future().get();
  EXPECT_EQ(req.method, "POST");
  EXPECT_EQ(req.body, body);
  EXPECT_EQ(req.header("content-type"), "application/json");
  EXPECT_EQ(req.header("COOKIE"), "asc_auth_key=abc.def.ghi");
  EXPECT_EQ(req.header("x-custom"), "first");
  EXPECT_EQ(req.header("Host"), "127.0.0.1:" + std::to_string(srv.port()));
  int customs = 0;
  for (const auto& [k, v] : req.headers)
    if (k == "X-Custom") ++customs;
  EXPECT_EQ(customs, 2);
}

TEST(ServerTest, KeepAliveServesTwoRequestsOnOneConnection) {
  std::atomic<int> calls{0};
  Running srv(test_options(), [&](Request req, Respond respond) {
    ++calls;
    respond(text(200, std::string(req.path())));
  });

  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send(get("/one")));
  auto first = conn.read_response();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->body(), "/one");
  EXPECT_TRUE(first->keep_alive());
  EXPECT_NE((*first)[bhttp::field::connection], "close");

  ASSERT_TRUE(conn.send(get("/two")));
  auto second = conn.read_response();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->body(), "/two");
  EXPECT_EQ(calls.load(), 2);
}

TEST(ServerTest, Http10ClosesUnlessAskedToKeepAlive) {
  Running srv(test_options(), [](Request, Respond respond) { respond(text(200, "ok")); });

  RawConnection plain(srv.port());
  ASSERT_TRUE(plain.send("GET / HTTP/1.0\r\n\r\n"));
  auto r = plain.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->version(), 10u);
  EXPECT_EQ(r->body(), "ok");
  EXPECT_FALSE(r->keep_alive());
  EXPECT_TRUE(plain.closed_within(2s));

  RawConnection kept(srv.port());
  ASSERT_TRUE(kept.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  auto k1 = kept.read_response();
  ASSERT_TRUE(k1);
  EXPECT_TRUE(common::iequals((*k1)[bhttp::field::connection], "keep-alive"));
  ASSERT_TRUE(kept.send("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"));
  EXPECT_TRUE(kept.read_response());
}

TEST(ServerTest, HeadResponseHasNoBodySoTheConnectionStaysInStep) {
  Running srv(test_options(), [](Request req, Respond respond) { respond(text(200, req.method + " body")); });
  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send("HEAD /x HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  auto head = conn.read_response(5s, /*to_head=*/true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->result_int(), 200u);
  // The length a GET would have had, as RFC 9110 9.3.2 allows.
  EXPECT_EQ((*head)[bhttp::field::content_length], "9");

  // Body bytes after the HEAD answer would be read as the start of this response.
  ASSERT_TRUE(conn.send(get("/x")));
  auto after = conn.read_response();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->result_int(), 200u);
  EXPECT_EQ(after->body(), "GET body");
}

TEST(ServerTest, Http11ConnectionCloseIsHonoured) {
  Running srv(test_options(), [](Request, Respond respond) { respond(text(200, "bye")); });
  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send(get("/", "Connection: close\r\n")));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)[bhttp::field::connection], "close");
  EXPECT_TRUE(conn.closed_within(2s));
}

ServerOptions limited(std::atomic<int>& transport_calls) {
  auto o = test_options();
  o.body_limit = 1024;
  o.transport_error = [&transport_calls](int status) {
    ++transport_calls;
    Response r;
    r.status = status;
    r.set("Content-Type", "application/json");
    r.body = "{\"transport\":" + std::to_string(status) + "}";
    return r;
  };
  return o;
}

TEST(ServerTest, BodyOverLimitByContentLengthGets413AndClose) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  Running srv(limited(transport_calls), counting_ok(handled));

  auto at_limit = http_request("127.0.0.1", srv.port(), "POST", "/", {}, std::string(1024, 'a'));
  ASSERT_TRUE(at_limit);
  EXPECT_EQ(at_limit->status, 200);

  auto over = http_request("127.0.0.1", srv.port(), "POST", "/", {}, std::string(1025, 'a'));
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 413);
  EXPECT_EQ(over->body, "{\"transport\":413}");
  EXPECT_EQ(over->header("Connection"), "close");
  EXPECT_EQ(handled.load(), 1);
  EXPECT_EQ(transport_calls.load(), 1);

  // A large upload announced by Content-Length is refused before it is read, and the connection ends.
  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n" + std::string(2048, 'b')));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413u);
  EXPECT_TRUE(conn.closed_within(5s));
  EXPECT_EQ(handled.load(), 1);
}

TEST(ServerTest, ChunkedBodyOverLimitGets413AndClose) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  std::promise<std::string> body_seen;
  Running srv(limited(transport_calls), [&](Request req, Respond respond) {
    if (++handled == 1) body_seen.set_value(req.body);
    respond(text(200, "ok"));
  });

  // Within the limit the chunks are joined for the handler.
  RawConnection small(srv.port());
  ASSERT_TRUE(
      small.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  auto ok = small.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result_int(), 200u);
  EXPECT_EQ(body_seen.get_future().get(), "hello world");

  RawConnection conn(srv.port());
  std::string upload = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 4; ++i) upload += "200\r\n" + std::string(512, 'c') + "\r\n";
  upload += "0\r\n\r\n";
  ASSERT_TRUE(conn.send(upload));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 413u);
  EXPECT_EQ(r->body(), "{\"transport\":413}");
  EXPECT_TRUE(conn.closed_within(5s));
  EXPECT_EQ(handled.load(), 1);
}

TEST(ServerTest, ExpectContinueIsAnsweredBeforeTheBodyIsSent) {
  std::atomic<int> transport_calls{0};
  Running srv(limited(transport_calls), [](Request req, Respond respond) { respond(text(200, "got " + req.body)); });

  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"));
  auto cont = conn.read_response(2s);
  ASSERT_TRUE(cont);
  EXPECT_EQ(cont->result_int(), 100u);
  ASSERT_TRUE(conn.send("hello"));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->body(), "got hello");

  // Too large by its announcement: refused at once, the client never has to send the body.
  RawConnection big(srv.port());
  ASSERT_TRUE(big.send("POST / HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5000\r\n\r\n"));
  auto refused = big.read_response(2s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->result_int(), 413u);
}

TEST(ServerTest, MalformedRequestGets400AndClose) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  Running srv(limited(transport_calls), counting_ok(handled));
  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send("THIS IS NOT HTTP\r\n\r\n"));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400u);
  EXPECT_EQ(r->body(), "{\"transport\":400}");
  EXPECT_TRUE(conn.closed_within(5s));
  EXPECT_EQ(handled.load(), 0);
}

TEST(ServerTest, OversizedHeaderOrTooManyFieldsGet431AndClose) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  auto o = limited(transport_calls);
  o.header_limit = 2048;
  o.max_header_fields = 10;
  Running srv(o, counting_ok(handled));

  RawConnection big(srv.port());
  ASSERT_TRUE(big.send(get("/", "Cookie: asc_auth_key=" + std::string(4096, 'a') + "\r\n")));
  auto r = big.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 431u);
  EXPECT_EQ(r->body(), "{\"transport\":431}");
  EXPECT_TRUE(big.closed_within(5s));

  std::string fields;
  for (int i = 0; i < 10; ++i) fields += "X-F" + std::to_string(i) + ": v\r\n";
  RawConnection many(srv.port());
  ASSERT_TRUE(many.send(get("/", fields)));  // Host and ten more
  auto m = many.read_response();
  ASSERT_TRUE(m);
  EXPECT_EQ(m->result_int(), 431u);
  EXPECT_TRUE(many.closed_within(5s));
  EXPECT_EQ(handled.load(), 0);

  // At the limits the request is served.
  auto ok = http_request("127.0.0.1", srv.port(), "GET", "/", {{"X-Pad", std::string(1500, 'p')}});
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->status, 200);
  EXPECT_EQ(transport_calls.load(), 2);
}

TEST(ServerTest, HostMissingOrRepeatedGets400) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  Running srv(limited(transport_calls), counting_ok(handled));
  for (const std::string& head :
       {std::string("GET / HTTP/1.1\r\n\r\n"), std::string("GET / HTTP/1.1\r\nHost: a.test\r\nHost: b.test\r\n\r\n"),
        std::string("GET / HTTP/1.0\r\nHost: a.test\r\nhost: b.test\r\n\r\n")}) {
    RawConnection conn(srv.port());
    ASSERT_TRUE(conn.send(head));
    auto r = conn.read_response();
    ASSERT_TRUE(r) << head;
    EXPECT_EQ(r->result_int(), 400u) << head;
    EXPECT_TRUE(conn.closed_within(5s));
  }
  EXPECT_EQ(handled.load(), 0);
}

TEST(ServerTest, TransferCodingsOtherThanChunkedGet501AndClose) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  Running srv(limited(transport_calls), counting_ok(handled));
  const std::string chunked_body = "5\r\nhello\r\n0\r\n\r\n";
  for (const std::string coding : {"gzip, chunked", "chunked, gzip", "identity", "xchunked"}) {
    RawConnection conn(srv.port());
    ASSERT_TRUE(
        conn.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: " + coding + "\r\n\r\n" + chunked_body + get("/")));
    auto r = conn.read_response();
    ASSERT_TRUE(r) << coding;
    EXPECT_EQ(r->result_int(), 501u) << coding;
    EXPECT_EQ(r->body(), "{\"transport\":501}");
    EXPECT_TRUE(conn.closed_within(5s)) << "what follows must not be read as another request";
  }
  EXPECT_EQ(handled.load(), 0);
  RawConnection plain(srv.port());
  ASSERT_TRUE(plain.send("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n" + chunked_body));
  auto ok = plain.read_response();
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->result_int(), 200u);
}

TEST(ServerTest, PipelinedRequestsAreAnsweredInOrderOneAtATime) {
  std::atomic<int> concurrent{0};
  std::atomic<int> most{0};
  auto o = test_options();
  Running srv(o, [&](Request req, Respond respond) {
    most = std::max(most.load(), ++concurrent);
    // Answer the first later than the second would be: order must still hold.
    std::thread([&concurrent, req = std::move(req), respond = std::move(respond)] {
      std::this_thread::sleep_for(req.target == "/1" ? 200ms : 0ms);
      --concurrent;
      respond(text(200, req.target + ":" + req.body));
    }).detach();
  });
  RawConnection conn(srv.port());
  ASSERT_TRUE(
      conn.send("POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\na"
                "POST /2 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nb" +
                get("/3")));
  for (const char* expected : {"/1:a", "/2:b", "/3:"}) {
    auto r = conn.read_response();
    ASSERT_TRUE(r) << expected;
    EXPECT_EQ(r->body(), expected);
  }
  EXPECT_EQ(most.load(), 1);
}

TEST(ServerTest, RequestAfterAnErrorInAPipelineIsNotServed) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  Running srv(limited(transport_calls), counting_ok(handled));
  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nab" + get("/")));
  auto r = conn.read_response();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 400u);
  EXPECT_TRUE(conn.closed_within(5s));
  EXPECT_EQ(handled.load(), 0);
}

TEST(ServerTest, ChunkAbuseIsRefused) {
  std::atomic<int> transport_calls{0};
  std::atomic<int> handled{0};
  Running srv(limited(transport_calls), counting_ok(handled));
  const std::string head = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const std::string& body : {std::string("fffffffffffffffffff\r\n"),                     // size overflows 64 bits
                                  std::string("-1\r\n"),                                      // not hex
                                  std::string("1\r\nab\r\n0\r\n\r\n"),                        // chunk longer than said
                                  "1;" + std::string(200000, 'e') + "\r\na\r\n0\r\n\r\n"}) {  // endless extension
    RawConnection conn(srv.port());
    conn.send(head + body);  // the server may close before all of it is written
    auto r = conn.read_response();
    ASSERT_TRUE(r) << body.substr(0, 30);
    EXPECT_TRUE(r->result_int() == 400u || r->result_int() == 413u) << r->result_int() << " " << body.substr(0, 30);
    EXPECT_TRUE(conn.closed_within(5s));
  }
  EXPECT_EQ(handled.load(), 0);
}

TEST(ServerTest, DefaultTransportErrorIsTheJsonEnvelope) {
  auto o = test_options();
  o.body_limit = 10;
  Running srv(o, [](Request, Respond respond) { respond(text(200, "ok")); });
  auto r = http_request("127.0.0.1", srv.port(), "POST", "/", {}, std::string(11, 'x'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  EXPECT_EQ(r->header("Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(r->body,
            R"({"error":{"message":"Request entity too large","type":"PayloadTooLarge"},"status":1,"statusCode":413})");

  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send("THIS IS NOT HTTP\r\n\r\n"));
  auto bad = conn.read_response();
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->result_int(), 400u);
  EXPECT_EQ(bad->body(), R"({"error":{"message":"Bad request","type":"BadRequest"},"status":1,"statusCode":400})");
}

TEST(ServerTest, RespondFromAnotherThreadAfterDelay) {
  std::mutex mu;
  std::vector<std::thread> workers;
  Running srv(test_options(), [&](Request req, Respond respond) {
    std::lock_guard lock(mu);
    workers.emplace_back([respond, body = req.body] {
      std::this_thread::sleep_for(200ms);
      respond(text(200, "late " + body));
    });
  });

  const auto start = std::chrono::steady_clock::now();
  auto reply = http_request("127.0.0.1", srv.port(), "POST", "/", {}, "abc");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, "late abc");
  EXPECT_GE(elapsed, 200ms);
  std::lock_guard lock(mu);
  for (auto& t : workers) t.join();
}

TEST(ServerTest, SecondRespondIsIgnoredAndConnectionStaysUsable) {
  Running srv(test_options(), [](Request req, Respond respond) {
    respond(text(200, "first " + std::string(req.path())));
    respond(text(500, "second"));
  });
  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send(get("/a")));
  auto a = conn.read_response();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->body(), "first /a");
  ASSERT_TRUE(conn.send(get("/b")));
  auto b = conn.read_response();
  ASSERT_TRUE(b);
  EXPECT_EQ(b->body(), "first /b");
}

TEST(ServerTest, PendingHandlerDoesNotHangStopAndLateRespondIsHarmless) {
  std::mutex mu;
  std::vector<Respond> parked;
  std::promise<void> arrived;
  auto srv = std::make_unique<Running>(test_options(), [&](Request, Respond respond) {
    std::lock_guard lock(mu);
    parked.push_back(std::move(respond));
    arrived.set_value();
  });

  auto client = std::async(std::launch::async, [port = srv->port()] {
    return http_request("127.0.0.1", port, "GET", "/wait", {}, "", 20s);
  });
  ASSERT_EQ(arrived.get_future().wait_for(5s), std::future_status::ready);

  EXPECT_TRUE(srv->stop(5s));
  // The waiting client learns the connection is gone instead of waiting for its own timeout.
  ASSERT_EQ(client.wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(client.get());

  srv.reset();
  std::lock_guard lock(mu);
  ASSERT_EQ(parked.size(), 1u);
  parked.front()(text(200, "too late"));  // must neither crash nor touch freed memory
  parked.clear();
}

TEST(ServerTest, RespondAfterClientLeftIsANoOp) {
  std::mutex mu;
  std::vector<Respond> parked;
  std::promise<void> arrived;
  std::atomic<bool> park{true};
  Running srv(test_options(), [&](Request, Respond respond) {
    if (!park.load()) return respond(text(200, "served"));
    std::lock_guard lock(mu);
    parked.push_back(std::move(respond));
    arrived.set_value();
  });

  {
    RawConnection conn(srv.port());
    ASSERT_TRUE(conn.send(get("/")));
    ASSERT_EQ(arrived.get_future().wait_for(5s), std::future_status::ready);
    conn.close();
  }
  std::this_thread::sleep_for(50ms);
  {
    std::lock_guard lock(mu);
    parked.front()(text(200, "nobody listens"));
    parked.clear();
  }
  park = false;
  auto reply = http_request("127.0.0.1", srv.port(), "GET", "/", {}, "", 5s);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->body, "served");
}

TEST(ServerTest, DroppedRespondClosesTheConnection) {
  Running srv(test_options(), [](Request, Respond) {});
  const auto start = std::chrono::steady_clock::now();
  auto reply = http_request("127.0.0.1", srv.port(), "GET", "/", {}, "", 10s);
  EXPECT_FALSE(reply);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << reply.error().message;
}

TEST(ServerTest, ReadTimeoutClosesAConnectionThatStallsOrTrickles) {
  auto o = test_options();
  o.read_timeout = 600ms;
  std::atomic<int> handled{0};
  Running srv(o, counting_ok(handled));

  RawConnection stalled(srv.port());
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(stalled.send("GET / HTTP/1.1\r\nHo"));
  EXPECT_TRUE(stalled.closed_within(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 550ms);

  // Each byte arrives well within any per-read timeout; only a deadline for the whole request stops this.
  RawConnection trickling(srv.port());
  start = std::chrono::steady_clock::now();
  ASSERT_TRUE(trickling.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n"));
  bool cut = false;
  for (int i = 0; i < 100 && !cut; ++i) {
    std::this_thread::sleep_for(50ms);
    cut = !trickling.send("b");
  }
  EXPECT_TRUE(cut || trickling.closed_within(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 550ms);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 4s);
  EXPECT_EQ(handled.load(), 0);
}

TEST(ServerTest, IdleKeepAliveConnectionIsClosedAfterIdleTimeout) {
  auto o = test_options();
  o.idle_timeout = 300ms;
  Running srv(o, [](Request, Respond respond) { respond(text(200, "ok")); });
  RawConnection conn(srv.port());
  ASSERT_TRUE(conn.send(get("/")));
  ASSERT_TRUE(conn.read_response());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(conn.closed_within(5s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

TEST(ServerTest, RouterAnswers404And405WithAllowOverTheWire) {
  Router router;
  router.add("POST", "/api/2.0/people/invite", [](Request, Respond respond) { respond(text(200, "invited")); });
  router.add("GET", "/healthz", [](Request, Respond respond) { respond(text(200, "alive")); });
  Running srv(test_options(), router);

  auto ok = http_request("127.0.0.1", srv.port(), "GET", "/healthz?verbose");
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->body, "alive");

  auto nf = http_request("127.0.0.1", srv.port(), "GET", "/missing");
  ASSERT_TRUE(nf);
  EXPECT_EQ(nf->status, 404);
  EXPECT_EQ(nf->body, R"({"error":{"message":"Not found","type":"NotFound"},"status":1,"statusCode":404})");

  auto na = http_request("127.0.0.1", srv.port(), "GET", "/api/2.0/people/invite");
  ASSERT_TRUE(na);
  EXPECT_EQ(na->status, 405);
  EXPECT_EQ(na->header("allow"), "POST");
}

TEST(ServerTest, ScheduleRunsAfterTheDelay) {
  Running srv(test_options(), [](Request, Respond respond) { respond(text(200, "ok")); });
  std::promise<std::chrono::steady_clock::time_point> fired;
  const auto start = std::chrono::steady_clock::now();
  srv.server().schedule(150ms, [&] { fired.set_value(std::chrono::steady_clock::now()); });
  auto f = fired.get_future();
  ASSERT_EQ(f.wait_for(5s), std::future_status::ready);
  EXPECT_GE(f.get() - start, 150ms);
}

TEST(ServerTest, ListenReportsAPortInUse) {
  Running first(test_options(), [](Request, Respond respond) { respond(text(200, "ok")); });
  auto o = test_options();
  o.port = first.port();
  Server second(o, [](Request, Respond respond) { respond(text(200, "ok")); });
  auto listening = second.listen();
  ASSERT_FALSE(listening);
  EXPECT_NE(listening.error().message.find(std::to_string(first.port())), std::string::npos)
      << listening.error().message;

  auto bad_options = test_options();
  bad_options.address = "not an address";
  Server bad(bad_options, [](Request, Respond) {});
  EXPECT_FALSE(bad.listen());
}

}  // namespace
}  // namespace invite::http
