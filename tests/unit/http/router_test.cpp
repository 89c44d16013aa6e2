#include <gtest/gtest.h>

#include <optional>

#include "invite/http/ops.hpp"
#include "invite/http/server.hpp"

namespace invite::http {
namespace {

struct Captured {
  std::optional<Response> response;
  Respond respond() {
    return [this](Response r) { response = std::move(r); };
  }
};

Handler answer(std::string body) {
  return [body](Request, Respond respond) {
    Response r;
    r.body = body;
    respond(std::move(r));
  };
}

Request make(std::string method, std::string target) {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

std::string header_of(const Response& r, std::string_view name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

TEST(RequestTest, HeaderLookupIgnoresCaseAndReturnsFirstValue) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Twice", "one"}, {"x-twice", "two"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r.header("X-TWICE"), "one");
  EXPECT_EQ(r.header("Accept"), "");
}

TEST(RequestTest, PathStripsQuery) {
  EXPECT_EQ(make("GET", "/api/2.0/people/invite?x=1&y=2").path(), "/api/2.0/people/invite");
  EXPECT_EQ(make("GET", "/healthz").path(), "/healthz");
  EXPECT_EQ(make("GET", "/?").path(), "/");
}

TEST(ResponseTest, SetReplacesCaseInsensitivelyAndDropsDuplicates) {
  Response r;
  r.headers = {{"Content-Type", "text/plain"}, {"X-A", "1"}, {"content-type", "text/html"}};
  r.set("CONTENT-TYPE", "application/json");
  ASSERT_EQ(r.headers.size(), 2u);
  EXPECT_EQ(r.headers[0].second, "application/json");
  EXPECT_EQ(r.headers[1].first, "X-A");
  r.set("Retry-After", "5");
  ASSERT_EQ(r.headers.size(), 3u);
  EXPECT_EQ(r.headers[2], (std::pair<std::string, std::string>{"Retry-After", "5"}));
}

TEST(RouterTest, DispatchesOnExactPathAndMethodIgnoringQuery) {
  Router router;
  router.add("GET", "/healthz", answer("health"));
  router.add("POST", "/api/2.0/people/invite", answer("invite"));
  router.add("GET", "/api/2.0/people/invite", answer("invite-get"));

  Captured a;
  router(make("POST", "/api/2.0/people/invite?debug=1"), a.respond());
  ASSERT_TRUE(a.response);
  EXPECT_EQ(a.response->body, "invite");

  Captured b;
  router(make("GET", "/api/2.0/people/invite"), b.respond());
  ASSERT_TRUE(b.response);
  EXPECT_EQ(b.response->body, "invite-get");

  // A prefix or a trailing slash is another path.
  Captured c;
  router(make("GET", "/healthz/"), c.respond());
  ASSERT_TRUE(c.response);
  EXPECT_EQ(c.response->status, 404);
}

TEST(RouterTest, UnknownPathGetsDefaultJsonNotFound) {
  Router router;
  router.add("GET", "/healthz", answer("ok"));
  Captured c;
  router(make("GET", "/nope"), c.respond());
  ASSERT_TRUE(c.response);
  EXPECT_EQ(c.response->status, 404);
  EXPECT_EQ(c.response->body, R"({"error":{"message":"Not found","type":"NotFound"},"status":1,"statusCode":404})");
  EXPECT_EQ(header_of(*c.response, "Content-Type"), "application/json; charset=utf-8");
}

TEST(RouterTest, OtherMethodGets405WithAllowListingEachMethodOnce) {
  Router router;
  router.add("POST", "/api/2.0/people/invite", answer("a"));
  router.add("PUT", "/api/2.0/people/invite", answer("b"));
  router.add("PUT", "/api/2.0/people/invite", answer("c"));
  router.add("GET", "/other", answer("d"));
  Captured c;
  router(make("GET", "/api/2.0/people/invite"), c.respond());
  ASSERT_TRUE(c.response);
  EXPECT_EQ(c.response->status, 405);
  EXPECT_EQ(header_of(*c.response, "Allow"), "POST, PUT");
  EXPECT_EQ(c.response->body,
            R"({"error":{"message":"Method not allowed","type":"MethodNotAllowed"},"status":1,"statusCode":405})");
}

TEST(RouterTest, CustomFallbacksAreUsedAndAllowIsAddedWhenMissing) {
  Router router;
  router.add("POST", "/x", answer("x"));
  std::string seen_allow;
  router.set_fallbacks(
      [](const Request& req) {
        Response r;
        r.status = 404;
        r.body = "custom 404 for " + std::string(req.path());
        return r;
      },
      [&](const Request&, std::string_view allow) {
        seen_allow = std::string(allow);
        Response r;
        r.status = 405;
        r.body = "custom 405";
        return r;
      });

  Captured nf;
  router(make("GET", "/y?q"), nf.respond());
  ASSERT_TRUE(nf.response);
  EXPECT_EQ(nf.response->body, "custom 404 for /y");

  Captured na;
  router(make("DELETE", "/x"), na.respond());
  ASSERT_TRUE(na.response);
  EXPECT_EQ(na.response->body, "custom 405");
  EXPECT_EQ(seen_allow, "POST");
  EXPECT_EQ(header_of(*na.response, "Allow"), "POST");
}

TEST(OpsRoutesTest, HealthReadinessAndMetrics) {
  std::vector<std::string> missing;
  Router router;
  add_ops_routes(
      router, [] { return std::string("up 1\n"); }, [&] { return missing; });

  Captured health;
  router(make("GET", "/healthz"), health.respond());
  ASSERT_TRUE(health.response);
  EXPECT_EQ(health.response->status, 200);
  EXPECT_EQ(health.response->body, R"({"status":"ok"})");

  Captured ready;
  router(make("GET", "/readyz"), ready.respond());
  ASSERT_TRUE(ready.response);
  EXPECT_EQ(ready.response->status, 200);
  EXPECT_EQ(ready.response->body, R"({"status":"ready"})");

  missing = {"producer \"main\" not connected", "no partitions"};
  Captured not_ready;
  router(make("GET", "/readyz"), not_ready.respond());
  ASSERT_TRUE(not_ready.response);
  EXPECT_EQ(not_ready.response->status, 503);
  EXPECT_EQ(header_of(*not_ready.response, "Content-Type"), "application/json; charset=utf-8");
  EXPECT_EQ(not_ready.response->body,
            R"({"error":{"message":"Not ready: producer \"main\" not connected; no partitions","type":"NotReady"},)"
            R"("status":1,"statusCode":503})");

  Captured metrics;
  router(make("GET", "/metrics"), metrics.respond());
  ASSERT_TRUE(metrics.response);
  EXPECT_EQ(metrics.response->status, 200);
  EXPECT_EQ(header_of(*metrics.response, "Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(metrics.response->body, "up 1\n");
}

}  // namespace
}  // namespace invite::http
