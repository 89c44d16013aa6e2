#pragma once
// The portals file: which hosts this service answers for, and each portal's settings.
// {"portals":[{"host":"localhost","displayName":"Local DocSpace","baseUrl":"http://localhost:8080",
//   "defaultCulture":"en-US","paidSeats":null,"allowInvitingMembers":true,"dailyInvitationBudget":null}]}
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace invite::domain {

struct Portal {
  std::string host;            // lower-case, no port
  std::string display_name;
  std::string base_url;        // scheme://host[:port], no trailing slash; prefix of every URL we hand out
  std::string default_culture;
  std::optional<std::int64_t> paid_seats;               // nullopt: unlimited
  bool allow_inviting_members = true;
  std::optional<std::int64_t> daily_invitation_budget;  // nullopt: no budget
};

class PortalDirectory {
 public:
  // Parses and checks the whole file; the error names the offending entry and field.
  static std::variant<PortalDirectory, std::string> parse(std::string_view json_text);
  std::string to_json() const;  // the same format, for writers such as the devstack

  explicit PortalDirectory(std::vector<Portal> portals = {});
  // Looks up a Host header value: port stripped, case-insensitive. nullptr when unknown.
  const Portal* find_by_host_header(std::string_view host_header) const;
  const std::vector<Portal>& portals() const { return portals_; }

 private:
  std::vector<Portal> portals_;
};

// "Example.com:8080" -> "example.com"; "[::1]:80" -> "::1".
std::string host_without_port(std::string_view host_header);

}  // namespace invite::domain
