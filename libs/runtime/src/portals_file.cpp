#include "invite/runtime/portals_file.hpp"

#include <cstddef>
#include <limits>
#include <utility>

#include <nlohmann/json.hpp>

#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"

namespace invite::runtime {
namespace {

using domain::Portal;
using domain::PortalDirectory;

using Json = nlohmann::json;

using common::ascii_lower;
using common::iequals;

bool starts_with_ci(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

// Letters, digits, '-', '.' for names; ':' only for bare IPv6 literals (two or more colons).
common::Result<> host_problem(std::string_view host) {
  if (host.empty()) return common::fail("must not be empty");
  std::size_t colons = 0;
  for (char c : host) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == ':';
    if (!ok) return common::fail("must be a bare host name (letters, digits, '-', '.'), without scheme, port or path");
    if (c == ':') ++colons;
  }
  // A single colon is "host:port": the Host header's port is stripped before lookup, so it could never match.
  if (colons == 1) return common::fail("must not contain a port");
  return {};
}

// scheme://authority[/path], returned without trailing slashes; nullopt when it is not an absolute http(s) URL.
std::optional<std::string> normalize_base_url(std::string_view url) {
  std::size_t scheme_length = 0;
  if (starts_with_ci(url, "https://")) {
    scheme_length = 8;
  } else if (starts_with_ci(url, "http://")) {
    scheme_length = 7;
  } else {
    return std::nullopt;
  }
  for (char c : url) {
    // Every link we hand out is this prefix plus a path and query: a query, fragment or blank would break them.
    if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '?' || c == '#') {
      return std::nullopt;
    }
  }
  auto rest = url.substr(scheme_length);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  const auto authority = rest.substr(0, rest.find('/'));
  if (authority.empty() || authority.front() == ':' || authority.find('@') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string out(url.substr(0, scheme_length));
  out += rest;
  return out;
}

// Null or absent -> nullopt (no limit); otherwise an integer >= 0.
common::Result<std::optional<std::int64_t>> optional_count(const Json& entry, const char* field) {
  const auto it = entry.find(field);
  if (it == entry.end() || it->is_null()) return std::optional<std::int64_t>{};
  if (it->is_number_unsigned()) {
    const auto value = it->get<std::uint64_t>();
    if (value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return common::fail("is too large");
    return std::optional<std::int64_t>{static_cast<std::int64_t>(value)};
  }
  if (it->is_number_integer()) {
    const auto value = it->get<std::int64_t>();
    if (value < 0) return common::fail("must not be negative");
    return std::optional<std::int64_t>{value};
  }
  return common::fail("must be null or an integer >= 0");
}

common::Result<std::string> required_string(const Json& entry, const char* field) {
  const auto it = entry.find(field);
  if (it == entry.end() || it->is_null()) return common::fail("is required");
  if (!it->is_string()) return common::fail("must be a string");
  return it->get<std::string>();
}

constexpr std::string_view kKnownFields[] = {
    "host", "displayName", "baseUrl", "defaultCulture", "paidSeats", "allowInvitingMembers", "dailyInvitationBudget"};

common::Result<Portal> parse_portal(const Json& entry, const std::string& where) {
  if (!entry.is_object()) return common::fail(where + ": must be an object");
  // A misspelt optional field would silently drop a limit the operator meant to set.
  for (const auto& item : entry.items()) {
    bool known = false;
    for (auto field : kKnownFields) known = known || item.key() == field;
    if (!known) return common::fail(where + ": unknown field \"" + item.key() + "\"");
  }

  Portal portal;
  auto field_error = [&](std::string_view field, std::string_view problem) {
    return common::fail(where + "." + std::string(field) + ": " + std::string(problem));
  };

  auto host = required_string(entry, "host");
  if (!host) return field_error("host", host.error().message);
  if (auto valid = host_problem(*host); !valid) return field_error("host", valid.error().message);
  portal.host = ascii_lower(*host);

  auto display_name = required_string(entry, "displayName");
  if (!display_name) return field_error("displayName", display_name.error().message);
  portal.display_name = std::move(*display_name);
  if (portal.display_name.empty()) return field_error("displayName", "must not be empty");

  auto base_url = required_string(entry, "baseUrl");
  if (!base_url) return field_error("baseUrl", base_url.error().message);
  auto normalized_url = normalize_base_url(*base_url);
  if (!normalized_url) {
    return field_error("baseUrl", "must be an absolute http:// or https:// URL without query or fragment");
  }
  portal.base_url = std::move(*normalized_url);

  auto culture = required_string(entry, "defaultCulture");
  if (!culture) return field_error("defaultCulture", culture.error().message);
  if (!domain::is_valid_culture(*culture)) {
    return field_error("defaultCulture", "must look like \"en\" or \"en-US\"");
  }
  portal.default_culture = std::move(*culture);

  auto paid_seats = optional_count(entry, "paidSeats");
  if (!paid_seats) return field_error("paidSeats", paid_seats.error().message);
  portal.paid_seats = *paid_seats;

  if (const auto it = entry.find("allowInvitingMembers"); it != entry.end()) {
    if (!it->is_boolean()) return field_error("allowInvitingMembers", "must be true or false");
    portal.allow_inviting_members = it->get<bool>();
  }

  auto budget = optional_count(entry, "dailyInvitationBudget");
  if (!budget) return field_error("dailyInvitationBudget", budget.error().message);
  portal.daily_invitation_budget = *budget;

  return portal;
}

}  // namespace

common::Result<PortalDirectory> parse_portals_file(std::string_view json_text) {
  Json document;
  try {
    document = Json::parse(json_text);
  } catch (const Json::parse_error& error) {
    return common::fail("portals file is not valid JSON (at byte " + std::to_string(error.byte) + ")");
  }
  if (!document.is_object()) return common::fail("portals file: must be a JSON object {\"portals\":[...]}");
  const auto list = document.find("portals");
  if (list == document.end()) return common::fail("portals: is required");
  if (!list->is_array()) return common::fail("portals: must be an array");
  if (list->empty()) return common::fail("portals: must list at least one portal");

  std::vector<Portal> portals;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto where = "portals[" + std::to_string(i) + "]";
    auto parsed = parse_portal((*list)[i], where);
    if (!parsed) return parsed.error();
    auto& portal = *parsed;
    for (std::size_t j = 0; j < portals.size(); ++j) {
      if (portals[j].host == portal.host) {
        return common::fail(where + ".host: duplicate host \"" + portal.host + "\" (also portals[" + std::to_string(j) +
                            "])");
      }
    }
    portals.push_back(std::move(portal));
  }
  return PortalDirectory(std::move(portals));
}

std::string portals_file_json(const PortalDirectory& directory) {
  nlohmann::ordered_json list = nlohmann::ordered_json::array();
  for (const auto& portal : directory.portals()) {
    nlohmann::ordered_json entry;
    entry["host"] = portal.host;
    entry["displayName"] = portal.display_name;
    entry["baseUrl"] = portal.base_url;
    entry["defaultCulture"] = portal.default_culture;
    entry["paidSeats"] = portal.paid_seats ? nlohmann::ordered_json(*portal.paid_seats) : nlohmann::ordered_json();
    entry["allowInvitingMembers"] = portal.allow_inviting_members;
    entry["dailyInvitationBudget"] = portal.daily_invitation_budget
                                         ? nlohmann::ordered_json(*portal.daily_invitation_budget)
                                         : nlohmann::ordered_json();
    list.push_back(std::move(entry));
  }
  nlohmann::ordered_json document;
  document["portals"] = std::move(list);
  return document.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

}  // namespace invite::runtime
