#pragma once
// The HTTP body of POST /api/2.0/people/invite, parsed and validated without I/O. DocSpace's shapes and
// ASP.NET's error texts are the gateway's business: the domain sees only the Invitations it yields.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include "invite/domain/types.hpp"

namespace invite::gateway {

using domain::Invitation;

struct InviteRequest {
  std::vector<Invitation> invitations;
  std::optional<std::string> culture;  // as given when present
};

// The error of parse_invite_request: keys and messages in the order found, e.g. {"Invitations[0].Email",
// {"Incorrect email"}}; the 400 envelope lists them all. Not an aggregate (the declared constructor): with one member
// it could be built from whatever builds that member, and boost::system::result must never have to guess whether a
// value is a request or its errors.
struct ValidationErrors {
  ValidationErrors() = default;
  std::vector<std::pair<std::string, std::vector<std::string>>> errors;
  void add(std::string key, std::string message);
  bool empty() const { return errors.empty(); }
};

// Found by argument-dependent lookup when .value() is called on a boost::system::result holding ValidationErrors:
// not checking first is a bug, so it throws (as common::Result does) instead of being undefined.
[[noreturn]] void throw_exception_from_error(const ValidationErrors& errors, const boost::source_location& location);

// Accepts {"invitations":[{"email":..,"type":..}],"culture":..} and the seed's wrapped item shape
// {"invitations":[{"value":{"email":..,"type":..}}]}. Property names match case-insensitively (ASP.NET does).
// type: a name (any case) or a number 0..4, also as a numeric string ("4"); unknown -> key "$.invitations[i].type".
// Errors (all collected; the invitations' in list order, then the culture's):
//   body not JSON / not an object     -> "$": "The request body is not valid JSON."
//   invitations missing or null       -> "Invitations": "The Invitations field is required."
//   invitations not an array          -> "Invitations": "The Invitations field must be an array."
//   more than max_invitations         -> "Invitations": "The field Invitations must be a string or array type
//                                        with a maximum length of '<max>'."
//   item not an object / email missing or invalid -> "Invitations[i].Email": "Incorrect email"
//   culture present and malformed     -> "Culture": "Incorrect culture"
boost::system::result<InviteRequest, ValidationErrors> parse_invite_request(std::string_view body,
                                                                            std::size_t max_invitations);

}  // namespace invite::gateway
