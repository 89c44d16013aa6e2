#include "responses.hpp"

#include <array>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "invite/common/ids.hpp"
#include "invite/domain/people_query.hpp"
#include "invite/domain/validation.hpp"
#include "invite/events/events.hpp"

namespace invite::gateway {
namespace {

using domain::display_name;
using domain::EmployeeType;
using domain::normalize_email;

// Insertion-ordered so the bytes match DocSpace's field order.
using Json = nlohmann::ordered_json;

// Request URLs and messages can carry bytes from the client; a malformed one must not turn into an exception.
std::string dump(const Json& value) { return value.dump(-1, ' ', false, Json::error_handler_t::replace); }

struct AvatarSize {
  const char* field;
  int width;
  int height;
};
constexpr std::array<AvatarSize, 5> kAvatarSizes{{
    {"avatar", 82, 82},
    {"avatarOriginal", 200, 200},
    {"avatarMax", 200, 200},
    {"avatarMedium", 48, 48},
    {"avatarSmall", 32, 32},
}};

// EmployeeDto's members; EmployeeFullDto has all of them but "title".
Json employee_dto(const User& user, const Portal& portal, bool with_title = true) {
  Json dto;
  dto["id"] = user.id;
  dto["displayName"] = display_name(user);
  if (with_title) dto["title"] = "";
  for (const auto& size : kAvatarSizes) {
    const auto file =
        "default_user_photo_size_" + std::to_string(size.width) + "-" + std::to_string(size.height) + ".png";
    dto[size.field] = "/static/images/" + file + "?hash=" + std::to_string(default_avatar_hash(file));
  }
  const std::string_view section = user.type == EmployeeType::Guest ? "guests" : "people";
  dto["profileUrl"] = portal.base_url + "/accounts/" + std::string(section) +
                      "/filter?search=" + url_encode(normalize_email(user.email));
  dto["hasAvatar"] = false;
  dto["isAnonim"] = false;
  return dto;
}

Json links(std::string_view request_url, std::string_view method) {
  Json link;
  link["href"] = std::string(request_url);
  link["action"] = std::string(method);
  return Json::array({link});
}

// DocSpace's envelope: {"response":..,"count":n,("total":t,)"links":[..],"status":0|1,"statusCode":..}
std::string envelope(Json response, std::size_t count, std::optional<std::int64_t> total, std::string_view request_url,
                     std::string_view method, int status_code = 200) {
  Json envelope;
  envelope["response"] = std::move(response);
  envelope["count"] = count;
  if (total) envelope["total"] = *total;
  envelope["links"] = links(request_url, method);
  envelope["status"] = status_code == 200 ? 0 : 1;
  envelope["statusCode"] = status_code;
  return dump(envelope);
}

Json invitation_json(const domain::InvitationState& state) {
  Json invitation;
  invitation["sentAt"] = common::rfc3339_utc(state.sent_at_ms);
  invitation["expiresAt"] = common::rfc3339_utc(domain::expires_at_ms(state));
  invitation["timesResent"] = state.times_resent;
  invitation["inviterId"] = state.inviter_id;
  if (state.delivery) {
    Json delivery;
    delivery["status"] = std::string(domain::to_string(state.delivery->status));
    if (!state.delivery->reason.empty()) delivery["reason"] = state.delivery->reason;
    delivery["at"] = common::rfc3339_utc(state.delivery->at_ms);
    invitation["delivery"] = std::move(delivery);
  }
  return invitation;
}

Json employee_full_dto(const User& user, const Invitations& invitations, const Portal& portal) {
  Json dto = employee_dto(user, portal, false);
  dto["firstName"] = user.first_name;
  dto["lastName"] = user.last_name;
  dto["userName"] = user.user_name;
  dto["email"] = user.email;
  dto["status"] = static_cast<int>(user.status);
  dto["activationStatus"] = static_cast<int>(user.activation_status);
  dto["isAdmin"] = user.type == EmployeeType::DocSpaceAdmin;
  dto["isRoomAdmin"] = user.type == EmployeeType::RoomAdmin;
  dto["isOwner"] = false;  // the portal's Owner is never one of this service's users
  dto["isVisitor"] = user.type == EmployeeType::Guest;
  dto["isCollaborator"] = user.type == EmployeeType::User;
  if (!user.culture.empty()) dto["cultureName"] = user.culture;
  if (!user.created_by.empty()) dto["createdBy"] = Json::object({{"id", user.created_by}});
  dto["registrationDate"] = common::rfc3339_utc(user.created_at_ms);
  const auto invitation = invitations.find(user.id);
  if (user.status == domain::EmployeeStatus::Pending && invitation != invitations.end()) {
    dto["invitation"] = invitation_json(invitation->second);
  }
  return dto;
}

}  // namespace

std::string employee_dto_json(const User& user, const Portal& portal) { return dump(employee_dto(user, portal)); }

unsigned long default_avatar_hash(std::string_view file_name) {
  std::uint32_t hash = 2166136261u;
  for (char c : file_name) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return hash;
}

std::string success_envelope(const std::vector<User>& users, const Portal& portal, std::string_view request_url) {
  Json list = Json::array();
  for (const auto& user : users) list.push_back(employee_dto(user, portal));
  return envelope(std::move(list), users.size(), std::nullopt, request_url, "POST");
}

std::string employee_full_dto_json(const User& user, const Invitations& invitations, const Portal& portal) {
  return dump(employee_full_dto(user, invitations, portal));
}

std::string confirm_envelope(const domain::ConfirmOutcome& outcome, std::string_view request_url) {
  Json response;
  response["result"] = static_cast<int>(outcome.result);
  if (outcome.result == domain::ValidationResult::Ok) response["email"] = outcome.email;
  return envelope(std::move(response), 1, std::nullopt, request_url, "POST");
}

std::string employee_full_envelope(const User& user, const Invitations& invitations, const Portal& portal,
                                   std::string_view request_url, std::string_view method) {
  return envelope(employee_full_dto(user, invitations, portal), 1, std::nullopt, request_url, method);
}

std::string employee_full_list_envelope(const std::vector<User>& users, const Invitations& invitations,
                                        const Portal& portal, std::string_view request_url, std::string_view method,
                                        std::optional<std::int64_t> total) {
  Json list = Json::array();
  for (const auto& user : users) list.push_back(employee_full_dto(user, invitations, portal));
  return envelope(std::move(list), users.size(), total, request_url, method);
}

std::string validation_envelope(const ValidationErrors& errors, std::string_view request_url, std::string_view trace_id,
                                std::string_view method) {
  Json by_key = Json::object();
  for (const auto& [key, messages] : errors.errors) by_key[key] = messages;
  Json problem;
  problem["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1";
  problem["title"] = "One or more validation errors occurred.";
  problem["status"] = 400;
  problem["errors"] = std::move(by_key);
  problem["traceId"] = std::string(trace_id);
  return envelope(std::move(problem), 1, std::nullopt, request_url, method, 400);
}

}  // namespace invite::gateway
