#include "invite/domain/portal.hpp"

#include <utility>

#include "invite/common/text.hpp"

namespace invite::domain {

using common::ascii_lower;
using common::iequals;

PortalDirectory::PortalDirectory(std::vector<Portal> portals) : portals_(std::move(portals)) {}

const Portal* PortalDirectory::find_by_host_header(std::string_view host_header) const {
  const auto host = host_without_port(host_header);
  if (host.empty()) return nullptr;
  for (const auto& portal : portals_) {
    if (iequals(portal.host, host)) return &portal;  // parsed hosts are lower-case, constructed ones may not be
  }
  return nullptr;
}

std::string host_without_port(std::string_view host_header) {
  host_header = common::trim(host_header);
  if (!host_header.empty() && host_header.front() == '[') {
    const auto close = host_header.find(']');
    if (close == std::string_view::npos) return ascii_lower(host_header);
    return ascii_lower(host_header.substr(1, close - 1));
  }
  const auto colon = host_header.find(':');
  // Two or more colons without brackets can only be a bare IPv6 address: nothing to strip.
  if (colon == std::string_view::npos || host_header.find(':', colon + 1) != std::string_view::npos) {
    return ascii_lower(host_header);
  }
  return ascii_lower(host_header.substr(0, colon));
}

}  // namespace invite::domain
