#include "responses.hpp"

#include <array>
#include <cstdint>

#include <nlohmann/json.hpp>

#include "invite/domain/people_query.hpp"
#include "invite/domain/validation.hpp"

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

Json employee_dto(const User& user, const Portal& portal) {
  Json dto;
  dto["id"] = user.id;
  dto["displayName"] = display_name(user);
  dto["title"] = "";
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

Json links(std::string_view request_url) {
  Json link;
  link["href"] = std::string(request_url);
  link["action"] = "POST";
  return Json::array({link});
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
  Json envelope;
  envelope["response"] = std::move(list);
  envelope["count"] = users.size();
  envelope["links"] = links(request_url);
  envelope["status"] = 0;
  envelope["statusCode"] = 200;
  return dump(envelope);
}

std::string validation_envelope(const ValidationErrors& errors, std::string_view request_url,
                                std::string_view trace_id) {
  Json by_key = Json::object();
  for (const auto& [key, messages] : errors.errors) by_key[key] = messages;
  Json problem;
  problem["type"] = "https://tools.ietf.org/html/rfc9110#section-15.5.1";
  problem["title"] = "One or more validation errors occurred.";
  problem["status"] = 400;
  problem["errors"] = std::move(by_key);
  problem["traceId"] = std::string(trace_id);
  Json envelope;
  envelope["response"] = std::move(problem);
  envelope["count"] = 1;
  envelope["links"] = links(request_url);
  envelope["status"] = 1;
  envelope["statusCode"] = 400;
  return dump(envelope);
}

}  // namespace invite::gateway
