#pragma once
// The portals file, the service's one piece of configuration that is a document rather than a flag:
// {"portals":[{"host":"localhost","displayName":"Local DocSpace","baseUrl":"http://localhost:8080",
//   "defaultCulture":"en-US","paidSeats":null,"allowInvitingMembers":true,"dailyInvitationBudget":null}]}
// Its format lives here, beside the start-up step that loads it, so that the domain keeps only the Portal type.
#include <string>
#include <string_view>

#include "invite/common/result.hpp"
#include "invite/domain/portal.hpp"

namespace invite::runtime {

// Parses and checks the whole file; the error names the offending entry and field.
common::Result<domain::PortalDirectory> parse_portals_file(std::string_view json_text);
// The same format, for writers such as the devstack.
std::string portals_file_json(const domain::PortalDirectory& directory);

}  // namespace invite::runtime
