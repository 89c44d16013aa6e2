#pragma once
// The portals this service answers for, and each portal's settings. The file they come from is read and
// written by libs/runtime (invite/runtime/portals_file.hpp).
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace invite::domain {

struct Portal {
  std::string host;  // lower-case, no port
  std::string display_name;
  std::string base_url;  // scheme://host[:port], no trailing slash; prefix of every URL we hand out
  std::string default_culture;
  std::optional<std::int64_t> paid_seats;  // nullopt: unlimited
  bool allow_inviting_members = true;
  std::optional<std::int64_t> daily_invitation_budget;  // nullopt: no budget
};

class PortalDirectory {
 public:
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
