#include "http_replies.hpp"

#include <algorithm>
#include <cassert>

#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"
#include "invite/http/error_envelope.hpp"
#include "responses.hpp"

namespace invite::gateway {
namespace {

// "text/json; charset=utf-8" -> "text/json"
std::string media_type_of(std::string_view value) {
  return common::ascii_lower(common::trim(value.substr(0, value.find(';'))));
}

}  // namespace

std::string negotiate_media_type(std::string_view accept_header) {
  while (!accept_header.empty()) {
    const auto comma = accept_header.find(',');
    std::string type = media_type_of(accept_header.substr(0, comma));
    if (type == "application/json" || type == "*/*" || type == "application/*") return "application/json";
    if (type == "text/json" || type == "text/plain") return type;
    if (comma == std::string_view::npos) break;
    accept_header.remove_prefix(comma + 1);
  }
  return "application/json";
}

bool is_accepted_content_type(std::string_view content_type_header) {
  const std::string type = media_type_of(content_type_header);
  if (type == "application/json" || type == "text/json") return true;
  constexpr std::string_view kApplication = "application/";
  constexpr std::string_view kJsonSuffix = "+json";
  return type.size() > kApplication.size() + kJsonSuffix.size() && type.starts_with(kApplication) &&
         type.ends_with(kJsonSuffix);
}

http::Response json_response(int status, std::string body, std::string_view media_type) {
  http::Response response;
  response.status = status;
  response.set("Content-Type", std::string(media_type) + "; charset=utf-8");
  response.body = std::move(body);
  return response;
}

http::Response error_response(int status, std::string_view message, std::string_view type,
                              std::string_view media_type) {
  return json_response(status, http::error_envelope(status, message, type), media_type);
}

std::string refusal_message(const events::InviteReply& reply) {
  switch (reply.outcome) {
    case domain::Outcome::Ok:
      return {};
    case domain::Outcome::UserDisabled:
      if (reply.disabled_email.empty()) return reply.message.value_or("");
      return "The user is disabled: " + reply.disabled_email;
    case domain::Outcome::PaidSeatsExceeded:
      if (!reply.seats) return reply.message.value_or("");
      return "The number of admins exceeds the limit: " + std::to_string(reply.seats->needed) + "/" +
             std::to_string(reply.seats->free) + ".";
    case domain::Outcome::DailyBudgetExceeded:
      return "The daily invitation limit of the portal is reached.";
    case domain::Outcome::LinkInvalid:
    case domain::Outcome::LinkExpired:
    case domain::Outcome::LinkMismatch:
    case domain::Outcome::NotPending:
    case domain::Outcome::InvitationsDisabled:
    case domain::Outcome::Forbidden:
    case domain::Outcome::RateLimited:
    case domain::Outcome::NotFound:
    case domain::Outcome::NotDisabled:
      break;  // outcomes of the lifecycle's commands, never of an invite
  }
  return reply.message.value_or("");
}

http::Response reply_response(const events::InviteReply& reply, const domain::Portal& portal,
                              std::string_view request_url, std::string_view media_type, std::int64_t now_ms) {
  switch (reply.outcome) {
    case domain::Outcome::Ok:
      return json_response(200, success_envelope(reply.users, portal, request_url), media_type);
    case domain::Outcome::UserDisabled:
      return error_response(400, refusal_message(reply), error_type::kUserDisabled, media_type);
    case domain::Outcome::PaidSeatsExceeded:
      return error_response(402, refusal_message(reply), error_type::kPaidSeatsExceeded, media_type);
    case domain::Outcome::DailyBudgetExceeded: {
      auto response = error_response(429, refusal_message(reply), error_type::kDailyBudgetExceeded, media_type);
      if (reply.rate_limit) {
        const auto& limit = *reply.rate_limit;
        const std::int64_t wait_s = std::max<std::int64_t>(1, (limit.reset_at_ms - now_ms + 999) / 1000);
        response.set("Retry-After", std::to_string(wait_s));
        response.set("X-RateLimit-Limit", std::to_string(limit.limit));
        response.set("X-RateLimit-Remaining", std::to_string(limit.remaining));
        response.set("X-RateLimit-Reset", std::to_string(limit.reset_at_ms / 1000));
      }
      return response;
    }
    case domain::Outcome::LinkInvalid:
    case domain::Outcome::LinkExpired:
    case domain::Outcome::LinkMismatch:
    case domain::Outcome::NotPending:
    case domain::Outcome::InvitationsDisabled:
    case domain::Outcome::Forbidden:
    case domain::Outcome::RateLimited:
    case domain::Outcome::NotFound:
    case domain::Outcome::NotDisabled:
      break;
  }
  // A worker that answers an invite with a command's outcome is broken or not ours: the gateway says so rather
  // than guess what happened to the invitations.
  return error_response(500, "The worker's reply does not answer an invite", error_type::kInternal, media_type);
}

namespace {

using domain::Outcome;
using events::CommandKind;

// The outcomes each command can have (proto/events/invite.replies.v1.schema.json).
bool may_have(CommandKind command, Outcome outcome) {
  switch (outcome) {
    case Outcome::Ok:
      return true;
    case Outcome::LinkInvalid:
    case Outcome::LinkExpired:
    case Outcome::LinkMismatch:
    case Outcome::NotPending:
    case Outcome::InvitationsDisabled:
      return command == CommandKind::Accept;
    case Outcome::Forbidden:
      return command == CommandKind::Resend || command == CommandKind::Disable || command == CommandKind::Delete;
    case Outcome::RateLimited:
      return command == CommandKind::Resend;
    case Outcome::NotFound:
      return command == CommandKind::Disable || command == CommandKind::Delete;
    case Outcome::NotDisabled:
      return command == CommandKind::Delete;
    case Outcome::UserDisabled:
    case Outcome::PaidSeatsExceeded:
    case Outcome::DailyBudgetExceeded:
      return false;
  }
  return false;
}

http::Response broken_reply_response(std::string_view media_type) {
  return error_response(500, "The worker's reply does not answer the request", error_type::kInternal, media_type);
}

}  // namespace

bool answers_command(const events::InviteReply& reply, CommandKind sent) {
  if (reply.command != sent || !may_have(sent, reply.outcome)) return false;
  if (reply.outcome != Outcome::Ok) return true;
  if (sent == CommandKind::Confirm) return reply.validation.has_value();
  if (sent == CommandKind::Accept) return reply.users.size() == 1;
  return true;
}

http::Response command_reply_response(const events::InviteReply& reply, CommandKind sent, const domain::Portal& portal,
                                      std::string_view request_url, std::string_view method,
                                      std::string_view media_type) {
  if (!answers_command(reply, sent)) return broken_reply_response(media_type);
  switch (reply.outcome) {
    case Outcome::Ok:
      if (sent == CommandKind::Confirm) {
        return json_response(200, confirm_envelope(*reply.validation, request_url), media_type);
      }
      if (sent == CommandKind::Accept) {
        return json_response(
            200, employee_full_envelope(reply.users.front(), reply.invitations, portal, request_url, method),
            media_type);
      }
      {
        // list's page carries the number of matches; the other lists are whole.
        std::optional<std::int64_t> total;
        if (sent == CommandKind::List) total = reply.total.value_or(static_cast<std::int64_t>(reply.users.size()));
        return json_response(
            200, employee_full_list_envelope(reply.users, reply.invitations, portal, request_url, method, total),
            media_type);
      }
    case Outcome::LinkInvalid:
      return error_response(401, "The confirmation link is invalid", error_type::kLinkInvalid, media_type);
    case Outcome::LinkExpired:
      return error_response(401, "The confirmation link has expired", error_type::kLinkExpired, media_type);
    case Outcome::LinkMismatch:
    case Outcome::NotPending:
    case Outcome::InvitationsDisabled:
    case Outcome::Forbidden:
      return error_response(403, "Access denied", error_type::kAccessDenied, media_type);
    case Outcome::RateLimited: {
      auto response =
          error_response(429, "Too many resends: wait before sending again", error_type::kRateLimited, media_type);
      response.set("Retry-After", std::to_string(std::max<std::int64_t>(1, reply.retry_after_seconds.value_or(1))));
      return response;
    }
    case Outcome::NotFound:
      return error_response(404, "The user was not found", error_type::kUserNotFound, media_type);
    case Outcome::NotDisabled:
      return error_response(400, "The user is not suspended", error_type::kUserNotDisabled, media_type);
    case Outcome::UserDisabled:
    case Outcome::PaidSeatsExceeded:
    case Outcome::DailyBudgetExceeded:
      break;
  }
  return broken_reply_response(media_type);
}

std::optional<std::string> valid_traceparent(std::string_view header) {
  if (!domain::is_valid_traceparent(header)) return std::nullopt;
  return std::string(header);
}

std::string trace_id_for(const std::optional<std::string>& traceparent) {
  if (traceparent) return "00-" + traceparent->substr(3, 32) + "-" + traceparent->substr(36, 16) + "-00";
  return "00-" + common::random_hex(16) + "-" + common::random_hex(8) + "-00";
}

}  // namespace invite::gateway
