#include "invite/mail/invitation.hpp"

#include <algorithm>

#include "invite/common/ids.hpp"
#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"
#include "invite/mail/mime.hpp"

namespace invite::mail {
namespace {

bool is_web_link(std::string_view link) {
  const std::string lower = common::ascii_lower(link.substr(0, 8));
  if (!lower.starts_with("https://") && !lower.starts_with("http://")) return false;
  return std::none_of(link.begin(), link.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

common::Result<> job_problem(const events::EmailJob& job) {
  if (!domain::is_valid_email(job.recipient_email)) return common::fail("recipient.email: not a valid e-mail");
  if (!common::is_uuid(job.recipient_user_id)) return common::fail("recipient.userId: not a uuid");
  return {};
}

std::string format_expiry(std::int64_t epoch_ms) {
  // "2026-12-03T11:52:05.209Z" -> "2026-12-03 11:52 UTC"
  const std::string text = common::rfc3339_utc(epoch_ms);
  return text.substr(0, 10) + " " + text.substr(11, 5) + " UTC";
}

common::Result<ComposedInvitation> compose_invitation(const events::EmailJob& job, const TemplateCatalogue& templates,
                                                      std::string_view fallback_culture, std::string_view from_address,
                                                      std::int64_t now_ms) {
  if (!is_web_link(job.confirmation_link)) return common::fail("confirmationLink: not an http(s) URL");
  const auto culture = templates.resolve(job.culture, fallback_culture);
  if (!culture) return common::fail("no template set for culture '" + job.culture + "'");
  InvitationVariables variables{job.portal_name, job.confirmation_link, job.recipient_email,
                                format_expiry(job.expires_at_ms)};
  auto texts = templates.render(*culture, variables);

  Message message;
  message.from = {job.portal_name.empty() ? std::string("DocSpace") : job.portal_name, std::string(from_address)};
  message.to = job.recipient_email;
  message.subject = std::move(texts.subject);
  message.message_id = message_id(job.event_id, from_address);
  message.date_ms = now_ms;
  message.language = texts.culture;
  message.text = std::move(texts.text);
  message.html = std::move(texts.html);
  message.boundary = boundary_for(job.event_id);

  ComposedInvitation out;
  out.culture = std::move(texts.culture);
  out.message_id = message.message_id;
  out.envelope = {std::string(from_address), job.recipient_email, job.event_id};
  out.bytes = render(message);
  return out;
}

}  // namespace invite::mail
