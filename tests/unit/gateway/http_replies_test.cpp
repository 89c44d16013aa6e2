// Content negotiation, accepted request types and trace context: the small decisions every answer depends on.
#include "http_replies.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <regex>
#include <string>
#include <utility>

namespace invite::gateway {
namespace {

class NegotiateMediaType : public ::testing::TestWithParam<std::pair<const char*, const char*>> {};

TEST_P(NegotiateMediaType, PicksTheFirstAcceptableType) {
  EXPECT_EQ(negotiate_media_type(GetParam().first), GetParam().second) << "Accept: " << GetParam().first;
}

INSTANTIATE_TEST_SUITE_P(
    Table, NegotiateMediaType,
    ::testing::Values(std::make_pair("", "application/json"), std::make_pair("application/json", "application/json"),
                      std::make_pair("text/json", "text/json"), std::make_pair("text/plain", "text/plain"),
                      std::make_pair("*/*", "application/json"), std::make_pair("application/*", "application/json"),
                      std::make_pair("TEXT/PLAIN", "text/plain"),
                      std::make_pair("text/plain; charset=utf-8", "text/plain"),
                      std::make_pair("text/html, text/plain;q=0.9", "text/plain"),
                      std::make_pair("application/xml,text/json", "text/json"),
                      std::make_pair("text/json, application/json", "text/json"),
                      std::make_pair("  text/plain  ,application/json", "text/plain"),
                      std::make_pair("text/html", "application/json"),
                      std::make_pair("image/png, application/xml", "application/json")));

class AcceptedContentType : public ::testing::TestWithParam<std::pair<const char*, bool>> {};

TEST_P(AcceptedContentType, MatchesTheContract) {
  EXPECT_EQ(is_accepted_content_type(GetParam().first), GetParam().second) << "Content-Type: " << GetParam().first;
}

INSTANTIATE_TEST_SUITE_P(
    Table, AcceptedContentType,
    ::testing::Values(std::make_pair("application/json", true), std::make_pair("application/json; charset=utf-8", true),
                      std::make_pair("Application/JSON;charset=UTF-8", true), std::make_pair("text/json", true),
                      std::make_pair("application/merge-patch+json", true),
                      std::make_pair("application/problem+json; charset=utf-8", true), std::make_pair("", false),
                      std::make_pair("text/plain", false), std::make_pair("application/xml", false),
                      std::make_pair("application/+json", false), std::make_pair("application/jsonp", false),
                      std::make_pair("text/plain+json", false), std::make_pair("json", false),
                      std::make_pair("multipart/form-data; boundary=x", false)));

constexpr const char* kTraceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

TEST(ValidTraceparent, AcceptsAWellFormedHeaderUnchanged) {
  EXPECT_EQ(valid_traceparent(kTraceparent), std::string(kTraceparent));
  EXPECT_EQ(valid_traceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"),
            std::string("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00"));
}

class InvalidTraceparent : public ::testing::TestWithParam<const char*> {};

TEST_P(InvalidTraceparent, IsRejected) { EXPECT_EQ(valid_traceparent(GetParam()), std::nullopt) << GetParam(); }

INSTANTIATE_TEST_SUITE_P(Table, InvalidTraceparent,
                         ::testing::Values("", "garbage",
                                           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",  // upper case
                                           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",  // zero trace
                                           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",  // zero parent
                                           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",  // version ff
                                           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",   // short trace
                                           "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",  // separators
                                           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",  // non-hex
                                           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 "));

TEST(TraceIdFor, UsesTheClientsTraceWhenThereIsOne) {
  EXPECT_EQ(trace_id_for(std::string(kTraceparent)), "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
}

TEST(TraceIdFor, MakesFreshIdsOtherwise) {
  const std::regex shape("00-[0-9a-f]{32}-[0-9a-f]{16}-00");
  const auto a = trace_id_for(std::nullopt);
  const auto b = trace_id_for(std::nullopt);
  EXPECT_TRUE(std::regex_match(a, shape)) << a;
  EXPECT_NE(a, b);
}

TEST(ErrorResponse, HasTheEnvelopeAndTheNegotiatedType) {
  const auto response = error_response(404, "Portal not found", error_type::kPortalNotFound, "text/json");
  EXPECT_EQ(response.status, 404);
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0].first, "Content-Type");
  EXPECT_EQ(response.headers[0].second, "text/json; charset=utf-8");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body,
            nlohmann::json::parse(
                R"({"error":{"message":"Portal not found","type":"PortalNotFound"},"status":1,"statusCode":404})"));
}

TEST(ReplyResponse, DailyBudgetWaitsAtLeastOneSecond) {
  domain::Portal portal;
  portal.host = "localhost";
  portal.base_url = "http://localhost";
  events::InviteReply reply;
  reply.outcome = domain::Outcome::DailyBudgetExceeded;
  reply.message = "limit";
  reply.rate_limit = domain::RateLimit{10, 0, 5'000};
  // The reset moment is already behind us (clock skew): still tell the client to wait, never "0" or negative.
  const auto response = reply_response(reply, portal, "http://localhost/x", "application/json", 9'000);
  EXPECT_EQ(response.status, 429);
  std::string retry_after;
  for (const auto& [name, value] : response.headers) {
    if (name == "Retry-After") retry_after = value;
  }
  EXPECT_EQ(retry_after, "1");
}

// The gateway owns the refusal texts; the deprecated `message` the codec still writes for older gateways must say
// the same, or a client would read different texts depending on which gateway answered.
TEST(RefusalMessage, WordsRefusalsFromTheFactsAsOlderGatewaysForwardThem) {
  events::InviteReply disabled;
  disabled.outcome = domain::Outcome::UserDisabled;
  disabled.disabled_email = "Gone@Example.com";
  events::InviteReply seats;
  seats.outcome = domain::Outcome::PaidSeatsExceeded;
  seats.seats = domain::SeatShortage{3, 2};
  events::InviteReply budget;
  budget.outcome = domain::Outcome::DailyBudgetExceeded;
  budget.rate_limit = domain::RateLimit{10, 0, 1795737600000};
  EXPECT_EQ(refusal_message(disabled), "The user is disabled: Gone@Example.com");
  EXPECT_EQ(refusal_message(seats), "The number of admins exceeds the limit: 3/2.");
  EXPECT_EQ(refusal_message(budget), "The daily invitation limit of the portal is reached.");
  for (auto reply : {disabled, seats, budget}) {
    reply.event_id = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a01";
    reply.request_id = "0b6f5a8e-1c2d-4e3f-8a9b-0c1d2e3f4a02";
    reply.portal = "localhost";
    const auto decoded = events::decode_reply(events::encode_reply(reply)).value();
    EXPECT_EQ(decoded.message, refusal_message(reply)) << domain::to_string(reply.outcome);
    EXPECT_EQ(refusal_message(decoded), refusal_message(reply));
  }
}

TEST(RefusalMessage, FallsBackOnTheMessageOfAnOlderWorker) {
  events::InviteReply reply;
  reply.outcome = domain::Outcome::PaidSeatsExceeded;
  reply.message = "The number of admins exceeds the limit: 1/0.";
  EXPECT_EQ(refusal_message(reply), "The number of admins exceeds the limit: 1/0.");
}

}  // namespace
}  // namespace invite::gateway
