#pragma once
// The e-mail an invite.emails.v1 job asks for: the texts of the job's culture (with fallbacks), the MIME
// message, the SMTP envelope. Pure.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "invite/common/result.hpp"
#include "invite/events/events.hpp"
#include "invite/mail/sender.hpp"
#include "invite/mail/templates.hpp"

namespace invite::mail {

struct ComposedInvitation {
  std::string culture;     // of the template set used
  std::string message_id;  // "<eventId@sender's domain>"
  Envelope envelope;
  std::string bytes;  // the whole message
};

// Why the mailer cannot handle a job at all (nullopt when it can): a recipient the HTTP API would have refused
// (which also keeps CR/LF out of every header), or a recipient user id that is not a uuid. Such a job is set
// aside with a log line; it gets no status event, whose schema it could not keep.
common::Result<> job_problem(const events::EmailJob& job);

// The message for `job`, dated now_ms. `fallback_culture` is the portal's default culture (empty when unknown).
// An error (permanent: the same job would fail the same way again) when the confirmation link is not an
// http(s) URL without spaces or control characters, or when no template set fits.
common::Result<ComposedInvitation> compose_invitation(const events::EmailJob& job, const TemplateCatalogue& templates,
                                                      std::string_view fallback_culture, std::string_view from_address,
                                                      std::int64_t now_ms);

// "2026-12-03 11:52 UTC": how the templates show when the link expires.
std::string format_expiry(std::int64_t epoch_ms);

}  // namespace invite::mail
