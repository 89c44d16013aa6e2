#include "invite/mail/invitation.hpp"

#include <gtest/gtest.h>

#include <set>

#include "invite/mail/mime.hpp"
#include "invite/mail/template_files.hpp"

namespace invite::mail {
namespace {

// The templates the mailer ships.
const TemplateCatalogue& shipped() {
  static const TemplateCatalogue catalogue = [] {
    auto loaded = load_templates(std::filesystem::path(INVITE_SOURCE_DIR) / "services/mailer/templates");
    if (!loaded) throw std::runtime_error(loaded.error().message);
    return std::move(*loaded);
  }();
  return catalogue;
}

events::EmailJob job(std::string culture) {
  events::EmailJob j;
  j.event_id = "35702c1e-8d4f-4b6a-9e3c-7f1a2b3c4d5e";
  j.occurred_at_ms = 1795690800123;
  j.request_id = "6f1c2b9e-4a7d-4c1e-9b0a-2d5e8f3a7c41";
  j.portal = "localhost";
  j.portal_name = "Local DocSpace";
  j.recipient_email = "someone@example.com";
  j.recipient_user_id = "97bb5874-3e71-41f8-a716-34e735f659c3";
  j.culture = std::move(culture);
  j.inviter_id = "540e7a8c-2f1b-4d3e-9c6a-1b2c3d4e5f60";
  j.subject = "Join Local DocSpace DocSpace";
  j.confirmation_link = "http://localhost:8080/confirm/LinkInvite?type=LinkInvite&key=1.a&uid=540e&emplType=4";
  j.expires_at_ms = 1796295125209;
  return j;
}

ComposedInvitation compose(const events::EmailJob& j, std::string_view fallback = "en-US") {
  auto composed = compose_invitation(j, shipped(), fallback, "no-reply@docspace.example", 1795690800123);
  if (!composed) throw std::runtime_error(composed.error().message);
  return std::move(*composed);
}

TEST(Invitation, ShipsTheNineCultures) {
  EXPECT_EQ(shipped().cultures(), (std::vector<std::string>{"de-DE", "en-US", "es-ES", "fr-FR", "it-IT", "ja-JP",
                                                            "pt-BR", "ru-RU", "zh-CN"}));
}

TEST(Invitation, EnglishSubjectIsTheDesignsAndTheMessageIsAddressedAndIdentified) {
  const auto message = compose(job("en-US"));
  EXPECT_EQ(message.culture, "en-US");
  EXPECT_EQ(message.message_id, "<35702c1e-8d4f-4b6a-9e3c-7f1a2b3c4d5e@docspace.example>");
  EXPECT_EQ(message.envelope.from, "no-reply@docspace.example");
  EXPECT_EQ(message.envelope.to, "someone@example.com");
  EXPECT_EQ(message.envelope.id, "35702c1e-8d4f-4b6a-9e3c-7f1a2b3c4d5e");
  EXPECT_NE(message.bytes.find("\r\nSubject: Join Local DocSpace DocSpace\r\n"), std::string::npos);
  EXPECT_NE(message.bytes.find("\r\nTo: <someone@example.com>\r\n"), std::string::npos);
  EXPECT_NE(message.bytes.find("\r\nFrom: \"Local DocSpace\" <no-reply@docspace.example>\r\n"), std::string::npos);
  EXPECT_NE(message.bytes.find("\r\nMessage-ID: " + message.message_id + "\r\n"), std::string::npos);
  // The link, quoted-printable: '=' as =3D; the soft line breaks are undone here.
  std::string joined = message.bytes;
  for (auto at = joined.find("=\r\n"); at != std::string::npos; at = joined.find("=\r\n")) joined.erase(at, 3);
  EXPECT_NE(joined.find("href=3D\"http://localhost:8080/confirm/LinkInvite?type=3DLinkInvite&amp;key=3D1.a"),
            std::string::npos);
  EXPECT_NE(joined.find(">Accept</a>"), std::string::npos);
  EXPECT_NE(joined.find("2026-12-03"), std::string::npos);
}

TEST(Invitation, EveryCultureHasItsOwnSubjectAndButton) {
  std::set<std::string> subjects;
  for (const auto& culture : shipped().cultures()) {
    const auto message = compose(job(culture));
    EXPECT_EQ(message.culture, culture);
    EXPECT_NE(message.bytes.find("\r\nContent-Language: " + culture + "\r\n"), std::string::npos) << culture;
    const auto subject_at = message.bytes.find("\r\nSubject: ");
    subjects.insert(message.bytes.substr(subject_at, message.bytes.find("\r\nMessage-ID") - subject_at));
  }
  EXPECT_EQ(subjects.size(), shipped().cultures().size());
}

TEST(Invitation, CultureFallbacks) {
  EXPECT_EQ(compose(job("de-AT")).culture, "de-DE");
  EXPECT_EQ(compose(job("pt")).culture, "pt-BR");
  EXPECT_EQ(compose(job("ko-KR"), "ru-RU").culture, "ru-RU");
  EXPECT_EQ(compose(job("ko-KR"), "").culture, "en-US");
}

TEST(Invitation, TheSameJobRendersTheSameMessageId) {
  EXPECT_EQ(compose(job("fr-FR")).message_id, compose(job("fr-FR")).message_id);
}

TEST(Invitation, ALinkThatIsNotAWebLinkIsRefused) {
  for (const char* link : {"javascript:alert(1)", "ftp://x.example/", "http://x.example/a b", "", "http://x\r\n"}) {
    auto j = job("en-US");
    j.confirmation_link = link;
    auto composed = compose_invitation(j, shipped(), "en-US", "no-reply@docspace.example", 0);
    ASSERT_FALSE(composed.has_value()) << link;
    EXPECT_EQ(composed.error().message, "confirmationLink: not an http(s) URL");
  }
}

TEST(Invitation, JobsTheMailerCannotHandle) {
  EXPECT_TRUE(job_problem(job("en-US")));
  auto bad_recipient = job("en-US");
  bad_recipient.recipient_email = "someone@example.com\r\nBcc: x@y.example";
  EXPECT_EQ(job_problem(bad_recipient).error().message, "recipient.email: not a valid e-mail");
  auto bad_user = job("en-US");
  bad_user.recipient_user_id = "42";
  EXPECT_EQ(job_problem(bad_user).error().message, "recipient.userId: not a uuid");
}

TEST(Invitation, ExpiryFormat) { EXPECT_EQ(format_expiry(1796295125209), "2026-12-03 10:52 UTC"); }

}  // namespace
}  // namespace invite::mail
