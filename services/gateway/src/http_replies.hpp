#pragma once
// HTTP-level helpers of the gateway: content negotiation and the mapping of outcomes to responses.
// Pure functions (no I/O), unit-tested in tests/unit/gateway.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "invite/domain/portal.hpp"
#include "invite/events/events.hpp"
#include "invite/http/server.hpp"

namespace invite::gateway {

// Stable error codes of the `error.type` field; clients may switch on them.
namespace error_type {
inline constexpr std::string_view kPortalNotFound = "PortalNotFound";
inline constexpr std::string_view kUnauthorized = "Unauthorized";
inline constexpr std::string_view kUnsupportedMediaType = "UnsupportedMediaType";
inline constexpr std::string_view kPayloadTooLarge = "PayloadTooLarge";
inline constexpr std::string_view kRequestHeaderFieldsTooLarge = "RequestHeaderFieldsTooLarge";
inline constexpr std::string_view kNotImplemented = "NotImplemented";
inline constexpr std::string_view kBadRequest = "BadRequest";
inline constexpr std::string_view kAccessDenied = "AccessDenied";
inline constexpr std::string_view kUserDisabled = "UserDisabled";
inline constexpr std::string_view kPaidSeatsExceeded = "PaidSeatsExceeded";
inline constexpr std::string_view kDailyBudgetExceeded = "DailyInvitationBudgetExceeded";
inline constexpr std::string_view kOverloaded = "Overloaded";
inline constexpr std::string_view kBrokerUnavailable = "BrokerUnavailable";
inline constexpr std::string_view kGatewayTimeout = "GatewayTimeout";
inline constexpr std::string_view kShuttingDown = "ShuttingDown";
inline constexpr std::string_view kInternal = "Internal";
inline constexpr std::string_view kNotFound = "NotFound";
inline constexpr std::string_view kMethodNotAllowed = "MethodNotAllowed";
inline constexpr std::string_view kLinkInvalid = "LinkInvalid";
inline constexpr std::string_view kLinkExpired = "LinkExpired";
inline constexpr std::string_view kRateLimited = "RateLimited";
inline constexpr std::string_view kUserNotFound = "UserNotFound";
inline constexpr std::string_view kUserNotDisabled = "UserNotDisabled";
}  // namespace error_type

// The media type of the answer for an Accept header: the first acceptable of application/json, text/json,
// text/plain (*/* and application/* mean application/json). Anything else falls back to application/json, as
// ASP.NET does when it does not enforce Accept. The body is JSON either way.
std::string negotiate_media_type(std::string_view accept_header);

// application/json, text/json or application/<anything>+json, parameters (charset) ignored.
bool is_accepted_content_type(std::string_view content_type_header);

http::Response json_response(int status, std::string body, std::string_view media_type);
// The service's one error body (http::error_envelope) in the negotiated media type.
http::Response error_response(int status, std::string_view message, std::string_view type, std::string_view media_type);

// The client's message for a refused request. The gateway owns these texts: it words them from the reply's
// outcome and facts (disabledEmail, paidSeats); a reply from an older worker, without those facts, falls back
// on its deprecated `message`.
std::string refusal_message(const events::InviteReply& reply);

// The client's answer for a worker reply: 200 envelope, 400 disabled user, 402 paid seats, 429 daily budget
// (Retry-After and X-RateLimit-Limit/-Remaining/-Reset).
http::Response reply_response(const events::InviteReply& reply, const domain::Portal& portal,
                              std::string_view request_url, std::string_view media_type, std::int64_t now_ms);

// The answer to the reply of a lifecycle command (openapi.yaml): ok -> 200 with the command's envelope (confirm's
// result, accept's one user, list's page with `total`, the others' list); link_invalid, link_expired -> 401;
// link_mismatch, not_pending, invitations_disabled, forbidden -> 403 "Access denied"; rate_limited -> 429 with
// Retry-After (retryAfterSeconds, at least 1); not_found -> 404 UserNotFound; not_disabled -> 400 UserNotDisabled.
// A reply that cannot answer `sent` - another command's, an outcome `sent` never has, an ok without the data it
// needs - is a broken worker: 500, as for an invite answered with a command's outcome.
http::Response command_reply_response(const events::InviteReply& reply, events::CommandKind sent,
                                      const domain::Portal& portal, std::string_view request_url,
                                      std::string_view method, std::string_view media_type);
// Whether `reply` can answer a request that sent `sent` (command_reply_response does not answer 500).
bool answers_command(const events::InviteReply& reply, events::CommandKind sent);

// W3C trace context: the incoming traceparent when well-formed, else nullopt.
std::optional<std::string> valid_traceparent(std::string_view header);
// The validation envelope's traceId: the trace's "00-<trace>-<span>-00" form, new ids when there is no trace.
std::string trace_id_for(const std::optional<std::string>& traceparent);

}  // namespace invite::gateway
