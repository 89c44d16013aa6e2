#pragma once
// Byte-exact JSON bodies of the HTTP API: DocSpace's envelopes and EmployeeDto.
#include <string>
#include <string_view>
#include <vector>

#include "invite/common/text.hpp"
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
std::string validation_envelope(const ValidationErrors& errors, std::string_view request_url,
                                std::string_view trace_id);

// Error bodies: http::error_envelope (invite/http/error_envelope.hpp), the one the whole service answers with.

using common::url_encode;

}  // namespace invite::gateway
