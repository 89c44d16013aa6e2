#include "responses.hpp"

#include <array>
#include <cstdint>

#include "invite/common/ids.hpp"
#include "invite/common/json_writer.hpp"
#include "invite/domain/people_query.hpp"
#include "invite/domain/validation.hpp"
#include "invite/events/events.hpp"

namespace invite::gateway {
namespace {

using common::JsonWriter;
using domain::display_name;
using domain::EmployeeType;
using domain::normalize_email;

// The bodies are written member by member, in DocSpace's field order, by a streaming writer: building ordered
// nlohmann trees and dumping them took most of the gateway's CPU for a hundred users (docs/performance.md).
// Request URLs and messages can carry bytes from the client: the writer replaces invalid UTF-8 instead of throwing.

struct Avatar {
  const char* field;
  std::string url;
};

// The default avatars' URLs are the same for every user: made once.
const std::array<Avatar, 5>& avatars() {
  static const std::array<Avatar, 5> table = [] {
    const auto url = [](int width, int height) {
      const auto file = "default_user_photo_size_" + std::to_string(width) + "-" + std::to_string(height) + ".png";
      return "/static/images/" + file + "?hash=" + std::to_string(default_avatar_hash(file));
    };
    return std::array<Avatar, 5>{{
        {"avatar", url(82, 82)},
        {"avatarOriginal", url(200, 200)},
        {"avatarMax", url(200, 200)},
        {"avatarMedium", url(48, 48)},
        {"avatarSmall", url(32, 32)},
    }};
  }();
  return table;
}

// EmployeeDto's members; EmployeeFullDto has all of them but "title".
void write_employee_members(JsonWriter& out, const User& user, const Portal& portal, bool with_title) {
  out.member("id", user.id);
  out.member("displayName", display_name(user));
  if (with_title) out.member("title", "");
  for (const auto& avatar : avatars()) out.member(avatar.field, avatar.url);
  const std::string_view section = user.type == EmployeeType::Guest ? "guests" : "people";
  std::string profile_url = portal.base_url;
  profile_url += "/accounts/";
  profile_url += section;
  profile_url += "/filter?search=";
  profile_url += url_encode(normalize_email(user.email));
  out.member("profileUrl", profile_url);
  out.member("hasAvatar", false);
  out.member("isAnonim", false);
}

void write_employee(JsonWriter& out, const User& user, const Portal& portal) {
  out.begin_object();
  write_employee_members(out, user, portal, /*with_title=*/true);
  out.end_object();
}

void write_invitation(JsonWriter& out, const domain::InvitationState& state) {
  out.begin_object("invitation");
  out.member("sentAt", common::Rfc3339(state.sent_at_ms));
  out.member("expiresAt", common::Rfc3339(domain::expires_at_ms(state)));
  out.member("timesResent", state.times_resent);
  out.member("inviterId", state.inviter_id);
  if (state.delivery) {
    out.begin_object("delivery");
    out.member("status", domain::to_string(state.delivery->status));
    if (!state.delivery->reason.empty()) out.member("reason", state.delivery->reason);
    out.member("at", common::Rfc3339(state.delivery->at_ms));
    out.end_object();
  }
  out.end_object();
}

void write_employee_full(JsonWriter& out, const User& user, const Invitations& invitations, const Portal& portal) {
  out.begin_object();
  write_employee_members(out, user, portal, /*with_title=*/false);
  out.member("firstName", user.first_name);
  out.member("lastName", user.last_name);
  out.member("userName", user.user_name);
  out.member("email", user.email);
  out.member("status", static_cast<int>(user.status));
  out.member("activationStatus", static_cast<int>(user.activation_status));
  out.member("isAdmin", user.type == EmployeeType::DocSpaceAdmin);
  out.member("isRoomAdmin", user.type == EmployeeType::RoomAdmin);
  out.member("isOwner", false);  // the portal's Owner is never one of this service's users
  out.member("isVisitor", user.type == EmployeeType::Guest);
  out.member("isCollaborator", user.type == EmployeeType::User);
  if (!user.culture.empty()) out.member("cultureName", user.culture);
  if (!user.created_by.empty()) {
    out.begin_object("createdBy");
    out.member("id", user.created_by);
    out.end_object();
  }
  out.member("registrationDate", common::Rfc3339(user.created_at_ms));
  const auto invitation = invitations.find(user.id);
  if (user.status == domain::EmployeeStatus::Pending && invitation != invitations.end()) {
    write_invitation(out, invitation->second);
  }
  out.end_object();
}

// DocSpace's envelope: {"response":..,"count":n,("total":t,)"links":[..],"status":0|1,"statusCode":..}, where
// `write_response` writes the response member's value.
template <class WriteResponse>
std::string envelope(WriteResponse&& write_response, std::size_t count, std::optional<std::int64_t> total,
                     std::string_view request_url, std::string_view method, int status_code = 200) {
  JsonWriter out;
  out.begin_object();
  out.key("response");
  write_response(out);
  out.member("count", count);
  if (total) out.member("total", *total);
  out.begin_array("links");
  out.begin_object();
  out.member("href", request_url);
  out.member("action", method);
  out.end_object();
  out.end_array();
  out.member("status", status_code == 200 ? 0 : 1);
  out.member("statusCode", status_code);
  out.end_object();
  return out.text();
}

}  // namespace

std::string employee_dto_json(const User& user, const Portal& portal) {
  JsonWriter out;
  write_employee(out, user, portal);
  return out.text();
}

unsigned long default_avatar_hash(std::string_view file_name) {
  std::uint32_t hash = 2166136261u;
  for (char c : file_name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

std::string success_envelope(const std::vector<User>& users, const Portal& portal, std::string_view request_url) {
  return envelope(
      [&](JsonWriter& out) {
        out.begin_array();
        for (const auto& user : users) write_employee(out, user, portal);
        out.end_array();
      },
      users.size(), std::nullopt, request_url, "POST");
}

std::string employee_full_dto_json(const User& user, const Invitations& invitations, const Portal& portal) {
  JsonWriter out;
  write_employee_full(out, user, invitations, portal);
  return out.text();
}

std::string confirm_envelope(const domain::ConfirmOutcome& outcome, std::string_view request_url) {
  return envelope(
      [&](JsonWriter& out) {
        out.begin_object();
        out.member("result", static_cast<int>(outcome.result));
        if (outcome.result == domain::ValidationResult::Ok) out.member("email", outcome.email);
        out.end_object();
      },
      1, std::nullopt, request_url, "POST");
}

std::string employee_full_envelope(const User& user, const Invitations& invitations, const Portal& portal,
                                   std::string_view request_url, std::string_view method) {
  return envelope([&](JsonWriter& out) { write_employee_full(out, user, invitations, portal); }, 1, std::nullopt,
                  request_url, method);
}

std::string employee_full_list_envelope(const std::vector<User>& users, const Invitations& invitations,
                                        const Portal& portal, std::string_view request_url, std::string_view method,
                                        std::optional<std::int64_t> total) {
  return envelope(
      [&](JsonWriter& out) {
        out.begin_array();
        for (const auto& user : users) write_employee_full(out, user, invitations, portal);
        out.end_array();
      },
      users.size(), total, request_url, method);
}

std::string validation_envelope(const ValidationErrors& errors, std::string_view request_url, std::string_view trace_id,
                                std::string_view method) {
  return envelope(
      [&](JsonWriter& out) {
        out.begin_object();
        out.member("type", "https://tools.ietf.org/html/rfc9110#section-15.5.1");
        out.member("title", "One or more validation errors occurred.");
        out.member("status", 400);
        out.begin_object("errors");
        for (const auto& [key, messages] : errors.errors) {
          out.begin_array(key);
          for (const auto& message : messages) out.value(message);
          out.end_array();
        }
        out.end_object();
        out.member("traceId", trace_id);
        out.end_object();
      },
      1, std::nullopt, request_url, method, 400);
}

}  // namespace invite::gateway
