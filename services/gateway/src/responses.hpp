#pragma once
// Byte-exact JSON bodies of the HTTP API: DocSpace's envelopes and EmployeeDto.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invite/common/text.hpp"
#include "invite/domain/invitation_state.hpp"
#include "invite/domain/lifecycle.hpp"
#include "invite/domain/portal.hpp"
#include "invite/domain/types.hpp"
#include "invite_request.hpp"

namespace invite::gateway {

using domain::Portal;
using domain::User;

// EmployeeDto, fields in DocSpace's order:
// {"id","displayName","title":"","avatar","avatarOriginal","avatarMax","avatarMedium","avatarSmall",
//  "profileUrl","hasAvatar":false,"isAnonim":false}
// displayName: "First Last" trimmed, or the e-mail when both names are empty.
// avatars: /static/images/default_user_photo_size_<w>-<h>.png?hash=<n> (82x82, 200x200, 200x200, 48x48, 32x32),
//   n = default_avatar_hash(<file name>), a stable cache-buster.
// profileUrl: <baseUrl>/accounts/people/filter?search=<url-encoded lower-case e-mail>
//   (guests: /accounts/guests/filter?search=...).
std::string employee_dto_json(const User& user, const Portal& portal);
unsigned long default_avatar_hash(std::string_view file_name);  // FNV-1a 32-bit of the file name

// {"response":[<EmployeeDto>...],"count":N,"links":[{"href":"<request_url>","action":"POST"}],"status":0,"statusCode":200}
std::string success_envelope(const std::vector<User>& users, const Portal& portal, std::string_view request_url);

// {"response":{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors
// occurred.",
//   "status":400,"errors":{...},"traceId":"<trace_id>"},"count":1,"links":[{"href":..,"action":"POST"}],"status":1,"statusCode":400}
// `method` is the request's (the links' action).
std::string validation_envelope(const ValidationErrors& errors, std::string_view request_url, std::string_view trace_id,
                                std::string_view method = "POST");

// The lifecycle endpoints' users, by user id: the invitation of each pending one (the reply's `invitations`).
using Invitations = std::map<std::string, domain::InvitationState>;

// EmployeeFullDto (openapi.yaml), members in this order, null ones never sent:
// {"id","displayName","avatar",..,"avatarSmall","profileUrl","hasAvatar":false,"isAnonim":false (as EmployeeDto,
//  without "title"),"firstName","lastName","userName","email","status","activationStatus","isAdmin","isRoomAdmin",
//  "isOwner":false,"isVisitor","isCollaborator","cultureName","createdBy":{"id"},"registrationDate",
//  "invitation":{"sentAt","expiresAt","timesResent","inviterId","delivery":{"status","reason","at"}}}
// createdBy and cultureName are left out when unknown; "invitation" only for a pending user (status 4) the
// reply gave one for; delivery only once the mailer reported, its reason only when not empty.
std::string employee_full_dto_json(const User& user, const Invitations& invitations, const Portal& portal);

// POST /api/2.0/authentication/confirm: {"response":{"result":n,"email":..(Ok only)},"count":1,"links":..,
// "status":0,"statusCode":200}
std::string confirm_envelope(const domain::ConfirmOutcome& outcome, std::string_view request_url);
// One user (accept): {"response":<EmployeeFullDto>,"count":1,"links":..,"status":0,"statusCode":200}
std::string employee_full_envelope(const User& user, const Invitations& invitations, const Portal& portal,
                                   std::string_view request_url, std::string_view method);
// A list (resend, disable, delete; list with `total`): {"response":[..],"count":n,("total":t,)"links":..,..}
std::string employee_full_list_envelope(const std::vector<User>& users, const Invitations& invitations,
                                        const Portal& portal, std::string_view request_url, std::string_view method,
                                        std::optional<std::int64_t> total);

// Error bodies: http::error_envelope (invite/http/error_envelope.hpp), the one the whole service answers with.

using common::url_encode;

}  // namespace invite::gateway
