#pragma once
// The HTTP bodies of the invitation's later life (issue 13), parsed and validated without I/O, bound as ASP.NET
// Core's web defaults bind them (json_binding.hpp). Errors are ValidationErrors (the 400 envelope), keyed like
// ASP.NET: a missing or invalid field by its name ("Key", "FirstName"), a value of the wrong JSON type by its path
// ("$.emplType"). Every body: a JSON object, no property twice in any case, nesting at most 64 deep.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/system/result.hpp>

#include "invite/domain/account_rules.hpp"
#include "invite/domain/lifecycle.hpp"
#include "invite_request.hpp"

namespace invite::gateway {

// Longest accepted texts: a key is "<19 digits>.<43 chars>", an encemail of a 255-char e-mail about 390 chars.
inline constexpr std::size_t kMaxKeyLength = 128;
inline constexpr std::size_t kMaxEncemailLength = 1024;
inline constexpr std::size_t kMaxPasswordHashLength = 512;
inline constexpr std::size_t kMaxUserIds = 1000;
inline constexpr std::size_t kMaxConfirmHeaderParameters = 16;

// POST /api/2.0/authentication/confirm:
// {"type":"LinkInvite"|1|"1","key":..,"encemail":..,"email":..,"uid":..,"emplType":n|"n","culture":..}
//   type missing -> "Type": "The Type field is required."; another confirmation kind -> "Type": "Only LinkInvite
//     links are confirmed here."; not a name or number -> "$.type": conversion error (ConfirmType).
//   key missing or empty -> "Key": "The Key field is required."; longer than kMaxKeyLength -> "Key": "The Key is
//     too long."
//   neither email nor encemail -> "Email": "The Email or EncEmail field is required."
//   emplType not 0..4 (number or numeric string) -> "$.emplType": conversion error (EmployeeType); it may be absent
//     (the link then checks Invalid).
//   uid present and not a uuid: left out (it is not signed, so it decides nothing)
//   culture present and malformed -> "Culture": "Incorrect culture"
struct ConfirmRequest {
  domain::LinkValues link;
  std::optional<std::string> culture;
};
boost::system::result<ConfirmRequest, ValidationErrors> parse_confirm_request(std::string_view body);

// The accept's `confirm` header: the link's raw query string (URL-encoded, as the web client's
// searchParams.toString() sends it), read with the confirm body's rules; parameter names in any case, each at most
// once. A malformed query -> "confirm": "<what is wrong>".
boost::system::result<domain::LinkValues, ValidationErrors> parse_confirm_header(std::string_view header);

// POST /api/2.0/people with fromInviteLink:
// {"fromInviteLink":true,"email":..,"type":n|"n"|name,"key":..,"firstName":..,"lastName":..,
//  "password":..|"passwordHash":..,"cultureName":..,"spam":bool}
//   fromInviteLink not true -> "FromInviteLink": "Only accepting an invitation link is supported."
//   email, key missing -> "<Field>": "The <Field> field is required."; type missing or bad -> "$.type"
//   firstName / lastName against the name rules (account_rules.hpp) -> "FirstName"/"LastName": one message each
//   neither password nor passwordHash, or both -> "Password": "Send either Password or PasswordHash."
//   password against the policy -> "Password": one message per broken rule ("The password must be at least 8
//     characters long.", "... at most 120 ...", "... an upper-case letter (A-Z).", "... a digit (0-9).",
//     "... a special character.")
//   passwordHash: taken as given (no policy: the client hashed it), but not empty and at most kMaxPasswordHashLength
//   cultureName present and malformed -> "CultureName": "Incorrect culture"; spam not a boolean -> "$.spam"
// Wrong JSON types of any field -> "$.<field>": conversion error. The password is never echoed in an error.
struct AcceptRequest {
  std::string email;
  domain::EmployeeType type = domain::EmployeeType::User;
  std::string key;
  std::string first_name;  // trimmed
  std::string last_name;   // trimmed
  std::optional<std::string> password;
  std::optional<std::string> password_hash;
  std::optional<std::string> culture;
  bool spam = false;
};
boost::system::result<AcceptRequest, ValidationErrors> parse_accept_request(std::string_view body,
                                                                            const domain::PasswordPolicy& policy);

// PUT /api/2.0/people/invite: {"userIds":[uuid...],"resendAll":bool}. userIds may be absent or null (then empty);
// resendAll may be absent (false). A repeated id counts once (first place kept).
//   userIds not an array -> "$.userIds"; an item not a uuid -> "$.userIds[i]" (System.Guid); more than
//   kMaxUserIds -> "UserIds": "The field UserIds must be a string or array type with a maximum length of '1000'."
//   resendAll not a boolean -> "$.resendAll" (System.Boolean)
struct ResendRequest {
  std::vector<std::string> user_ids;  // lower-case
  bool resend_all = false;
};
boost::system::result<ResendRequest, ValidationErrors> parse_resend_request(std::string_view body);

// PUT /api/2.0/people/status/2 and PUT /api/2.0/people/delete: {"userIds":[uuid...]}; userIds is required
// ("UserIds": "The UserIds field is required."), otherwise as above.
boost::system::result<std::vector<std::string>, ValidationErrors> parse_user_ids_request(std::string_view body);

}  // namespace invite::gateway
