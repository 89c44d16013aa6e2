// The gateway's body parser and validator on arbitrary bytes. Besides not crashing (ASan, UBSan), what it accepts
// must be what the rest of the service relies on: valid e-mails and cultures only, within the limit, and a request
// that survives the trip through invite.requested.v1 unchanged; what it refuses must make a JSON error envelope.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "invite/domain/validation.hpp"
#include "invite/events/events.hpp"
#include "invite_request.hpp"
#include "responses.hpp"

namespace {

constexpr std::size_t kMaxInvitations = 1000;

void require(bool condition) {
  if (!condition) std::abort();  // libFuzzer keeps the input that got here
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace invite::domain;
  using namespace invite::events;
  using namespace invite::gateway;
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  auto parsed = parse_invite_request(body, kMaxInvitations);

  if (!parsed) {
    const ValidationErrors errors = parsed.error();
    require(!errors.empty());
    const auto envelope =
        nlohmann::json::parse(validation_envelope(errors, "http://localhost/api/2.0/people/invite",
                                                  "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"),
                              nullptr, false);
    require(envelope.is_object() && envelope["response"]["errors"].size() == errors.errors.size());
    return 0;
  }

  const auto& request = *parsed;
  require(request.invitations.size() <= kMaxInvitations);
  require(!request.culture || is_valid_culture(*request.culture));
  for (std::size_t i = 0; i < request.invitations.size(); ++i) {
    const auto& invitation = request.invitations[i];
    require(is_valid_email(invitation.email));
    require(invitation.email.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    require(invitation.type != EmployeeType::All);  // mapped to RoomAdmin

    // What the gateway publishes, the worker must read back as the same invitation.
    RequestedInvitation record;
    record.event_id = "4dc8f1dc-10fa-4fc4-8cf0-8ace2467bbaa";
    record.occurred_at_ms = 1'795'690'800'000;
    record.request_id = "41b925a3-9b82-450d-8daf-77753198f708";
    record.index = static_cast<int>(i);
    record.count = static_cast<int>(request.invitations.size());
    record.deadline_ms = record.occurred_at_ms + 10'000;
    record.portal = "localhost";
    record.inviter_id = "f6cf251f-17b9-477e-bde5-e2bd426e3a59";
    record.culture = request.culture.value_or("en-US");
    record.invitation = invitation;
    auto decoded = decode_requested(encode_requested(record));
    require(decoded && *decoded == record);
  }
  return 0;
}
