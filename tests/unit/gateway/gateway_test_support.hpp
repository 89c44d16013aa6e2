#pragma once
// What the gateway's endpoint tests share: a publisher that records what it was asked to publish, the scheduler's
// callbacks kept for the test to fire, a fixed clock, two portals, tokens, and readers of a response.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "endpoint_steps.hpp"
#include "gateway_metrics.hpp"
#include "invite/auth/token.hpp"
#include "invite/common/metrics.hpp"
#include "invite/domain/portal.hpp"
#include "invite/http/server.hpp"
#include "pending_requests.hpp"
#include "request_publisher.hpp"

namespace invite::gateway {

class FakePublisher final : public RequestPublisher {
 public:
  struct Call {
    std::vector<events::RequestedInvitation> records;
    std::string traceparent;
    std::function<void(PublishOutcome)> on_done;
  };
  struct OneCall {
    EncodedRequest record;
    std::string traceparent;
    std::function<void(PublishOutcome)> on_done;
  };
  bool has_room(std::size_t records) const override { return records <= room; }
  void publish(const std::vector<events::RequestedInvitation>& records, const std::string& traceparent,
               std::function<void(PublishOutcome outcome)> on_done) override {
    calls.push_back({records, traceparent, std::move(on_done)});
  }
  void publish_one(EncodedRequest record, const std::string& traceparent,
                   std::function<void(PublishOutcome outcome)> on_done) override {
    one_calls.push_back({std::move(record), traceparent, std::move(on_done)});
  }
  std::vector<Call> calls;
  std::vector<OneCall> one_calls;
  std::size_t room = 1000000;  // records the producer's queue can still take
};

struct Scheduled {
  std::chrono::milliseconds delay;
  std::function<void()> fn;
};

inline constexpr std::int64_t kNowMs = 1'790'000'000'123;  // 2026-09-21, a fixed "now"
inline constexpr std::string_view kSecret = "unit-test-secret-that-is-long-enough-for-hs256";
inline constexpr std::string_view kOwnerId = "11111111-1111-4111-8111-111111111111";
inline constexpr std::string_view kInviteUrl = "http://localhost:8080/api/2.0/people/invite";

inline std::string test_token(domain::Role role, std::string_view portal = "localhost",
                              std::string_view user = kOwnerId, std::int64_t expires_at_s = kNowMs / 1000 + 3600) {
  auth::Claims claims;
  claims.user_id = std::string(user);
  claims.portal = std::string(portal);
  claims.role = role;
  claims.issued_at = kNowMs / 1000 - 60;
  claims.expires_at = expires_at_s;
  return auth::issue_token(claims, kSecret);
}

inline domain::PortalDirectory two_portals() {
  domain::Portal local;
  local.host = "localhost";
  local.display_name = "Local DocSpace";
  local.base_url = "http://localhost:8080";
  local.default_culture = "en-GB";
  local.allow_inviting_members = true;
  domain::Portal closed;
  closed.host = "closed.example";
  closed.display_name = "Closed";
  closed.base_url = "https://closed.example";
  closed.default_culture = "de-DE";
  closed.allow_inviting_members = false;
  return domain::PortalDirectory({local, closed});
}

// First value of a response header, "" when absent.
inline std::string header_of(const http::Response& response, std::string_view name) {
  for (const auto& [key, value] : response.headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(),
                                                [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return value;
    }
  }
  return {};
}

inline nlohmann::json body_of(const http::Response& response) {
  auto parsed = nlohmann::json::parse(response.body, nullptr, false);
  EXPECT_FALSE(parsed.is_discarded()) << response.body;
  return parsed;
}

inline std::string error_type_of(const http::Response& response) {
  const auto body = body_of(response);
  if (!body.contains("error")) return "<no error object>";
  return body["error"].value("type", "<no type>");
}

// An endpoint's surroundings, faked: time stands still at now_ms_ until a test moves it, scheduled callbacks wait
// in scheduled_ for the test to run them, ids count up.
class FakeSurroundings {
 public:
  explicit FakeSurroundings(std::size_t capacity = 100) : pending_(capacity) {}

  InviteEnvironment environment() {
    InviteEnvironment env;
    env.portals = &portals_;
    env.token_secret = std::string(kSecret);
    env.publisher = &publisher_;
    env.pending = &pending_;
    env.metrics = &gateway_metrics_;
    env.now_ms = [this] { return now_ms_; };
    env.schedule = [this](std::chrono::milliseconds delay, std::function<void()> fn) {
      scheduled_.push_back({delay, std::move(fn)});
    };
    env.draining = &draining_;
    env.verified_tokens = &verified_tokens_;  // as the gateway's main wires it: every test goes through it
    env.new_id = [this] {
      char buffer[40];
      std::snprintf(buffer, sizeof buffer, "00000000-0000-4000-8000-%012d", ++ids_);
      return std::string(buffer);
    };
    return env;
  }

 protected:
  domain::PortalDirectory portals_ = two_portals();
  std::atomic<bool> draining_{false};
  auth::VerifiedTokens verified_tokens_;
  FakePublisher publisher_;
  PendingRequests pending_;
  common::Registry metrics_;
  GatewayMetrics gateway_metrics_{metrics_};
  std::vector<Scheduled> scheduled_;
  std::int64_t now_ms_ = kNowMs;
  int ids_ = 0;
};

}  // namespace invite::gateway
