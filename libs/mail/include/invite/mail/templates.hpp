#pragma once
// The invitation's texts: one set of strings per culture (subject, heading, ... in that language) and two
// layouts shared by all cultures (HTML and plain text) that place the strings and the job's variables.
// Placeholders are written {{name}}. In the HTML part every string and every variable is HTML-escaped, so
// neither a portal name nor a translator can inject markup. Pure: files are read by load_templates.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invite/common/result.hpp"

namespace invite::mail {

// & < > " ' as entities.
std::string html_escape(std::string_view text);

// Text with {{name}} placeholders, split once into literal and placeholder pieces.
class Template {
 public:
  struct Piece {
    bool placeholder = false;
    std::string text;  // the literal, or the placeholder's name
  };
  // An error for "{{" without "}}" or an empty or malformed name (letters, digits, '.', '_', '-').
  static common::Result<Template> parse(std::string_view text);
  const std::vector<Piece>& pieces() const { return pieces_; }

 private:
  std::vector<Piece> pieces_;
};

// Names a set of strings may use, filled from the job for each e-mail.
struct InvitationVariables {
  std::string portal_name;
  std::string confirmation_link;
  std::string recipient_email;
  std::string expires_at;  // already formatted, e.g. "2026-12-03 11:52 UTC"
};

struct RenderedInvitation {
  std::string culture;  // of the set used
  std::string subject;
  std::string text;
  std::string html;
};

class TemplateCatalogue {
 public:
  using Strings = std::map<std::string, std::string, std::less<>>;  // key -> text with placeholders

  // Checks everything at start-up rather than per e-mail: every layout placeholder is a string key or a
  // variable, every culture is "ll" or "ll-CC" and defines exactly the keys the layouts use plus "subject",
  // its strings use variables only. The error names the culture and the key.
  static common::Result<TemplateCatalogue> build(std::string_view html_layout, std::string_view text_layout,
                                                 const std::map<std::string, Strings>& strings_by_culture);

  // The set to use for `culture`: the exact one ("de-AT"); else one for the language alone ("de"); else the
  // first (by name) of that language ("de-DE"); then the same steps for `fallback` (the portal's default
  // culture); then "en-US". Case-insensitive. nullopt only when none of those exists.
  std::optional<std::string> resolve(std::string_view culture, std::string_view fallback) const;
  // `culture` must be one resolve() returned.
  RenderedInvitation render(const std::string& culture, const InvitationVariables& variables) const;
  std::vector<std::string> cultures() const;

 private:
  struct Set {
    std::string culture;
    std::map<std::string, Template, std::less<>> strings;
  };
  std::optional<std::string> find(std::string_view culture) const;
  Template html_;
  Template text_;
  std::map<std::string, Set> sets_;  // by lower-cased culture
};

}  // namespace invite::mail
