#include "invite/mail/templates.hpp"

#include <algorithm>
#include <array>
#include <set>

#include "invite/common/text.hpp"
#include "invite/domain/validation.hpp"

namespace invite::mail {
namespace {

constexpr std::string_view kSubject = "subject";
// "culture" is the set's own culture (for <html lang>), the others come from the job.
constexpr std::array<std::string_view, 5> kVariables = {"portalName", "confirmationLink", "recipientEmail", "expiresAt",
                                                        "culture"};
constexpr std::string_view kDefaultCulture = "en-US";

bool is_variable(std::string_view name) {
  return std::find(kVariables.begin(), kVariables.end(), name) != kVariables.end();
}

bool valid_name(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

struct Values {
  const InvitationVariables& job;
  std::string_view culture;

  std::string_view operator[](std::string_view name) const {
    if (name == "portalName") return job.portal_name;
    if (name == "confirmationLink") return job.confirmation_link;
    if (name == "recipientEmail") return job.recipient_email;
    if (name == "expiresAt") return job.expires_at;
    return culture;  // the only other name build() lets through
  }
};

using Escape = std::string (*)(std::string_view);
std::string as_is(std::string_view text) { return std::string(text); }

// A string of a culture: its literals and variables, each passed through `escape`.
std::string fill(const Template& text, const Values& values, Escape escape) {
  std::string out;
  for (const auto& piece : text.pieces()) out += escape(piece.placeholder ? values[piece.text] : piece.text);
  return out;
}

std::string language_of(std::string_view culture) { return common::ascii_lower(culture.substr(0, culture.find('-'))); }

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

common::Result<Template> Template::parse(std::string_view text) {
  Template result;
  while (!text.empty()) {
    const auto open = text.find("{{");
    if (open != 0) {
      result.pieces_.push_back({false, std::string(text.substr(0, open))});
      if (open == std::string_view::npos) break;
      text.remove_prefix(open);
    }
    const auto close = text.find("}}");
    if (close == std::string_view::npos) return common::fail("'{{' without '}}'");
    const auto name = common::trim(text.substr(2, close - 2));
    if (!valid_name(name))
      return common::fail("malformed placeholder '{{" + std::string(text.substr(2, close - 2)) + "}}'");
    result.pieces_.push_back({true, std::string(name)});
    text.remove_prefix(close + 2);
  }
  return result;
}

common::Result<TemplateCatalogue> TemplateCatalogue::build(std::string_view html_layout, std::string_view text_layout,
                                                           const std::map<std::string, Strings>& strings_by_culture) {
  TemplateCatalogue catalogue;
  std::set<std::string, std::less<>> keys{std::string(kSubject)};  // the string keys the layouts use, plus subject
  for (auto [name, layout, target] : {std::tuple{"HTML layout", html_layout, &catalogue.html_},
                                      std::tuple{"text layout", text_layout, &catalogue.text_}}) {
    auto parsed = Template::parse(layout);
    if (!parsed) return common::fail(std::string(name) + ": " + parsed.error().message);
    *target = std::move(*parsed);
    for (const auto& piece : target->pieces()) {
      if (piece.placeholder && !is_variable(piece.text)) keys.insert(piece.text);
    }
  }
  if (strings_by_culture.empty()) return common::fail("no culture has strings");
  for (const auto& [culture, strings] : strings_by_culture) {
    if (!domain::is_valid_culture(culture)) return common::fail("culture '" + culture + "': not ll or ll-CC");
    const std::string lower = common::ascii_lower(culture);
    if (catalogue.sets_.contains(lower)) return common::fail("culture '" + culture + "' is defined twice");
    Set set{culture, {}};
    for (const auto& key : keys) {
      if (!strings.contains(key)) return common::fail("culture '" + culture + "': missing '" + key + "'");
    }
    for (const auto& [key, text] : strings) {
      if (!keys.contains(key)) return common::fail("culture '" + culture + "': '" + key + "' is used by no layout");
      auto parsed = Template::parse(text);
      if (!parsed) return common::fail("culture '" + culture + "', '" + key + "': " + parsed.error().message);
      for (const auto& piece : parsed->pieces()) {
        if (piece.placeholder && !is_variable(piece.text)) {
          return common::fail("culture '" + culture + "', '" + key + "': unknown variable '" + piece.text + "'");
        }
      }
      set.strings.emplace(key, std::move(*parsed));
    }
    catalogue.sets_.emplace(lower, std::move(set));
  }
  return catalogue;
}

std::optional<std::string> TemplateCatalogue::find(std::string_view culture) const {
  if (culture.empty()) return std::nullopt;
  const std::string lower = common::ascii_lower(culture);
  if (auto it = sets_.find(lower); it != sets_.end()) return it->second.culture;
  const std::string language = language_of(lower);
  if (auto it = sets_.find(language); it != sets_.end()) return it->second.culture;
  // The sets are ordered by name, so this is the first of the language: "pt" finds "pt-BR".
  for (auto it = sets_.lower_bound(language + "-"); it != sets_.end() && language_of(it->first) == language; ++it) {
    return it->second.culture;
  }
  return std::nullopt;
}

std::optional<std::string> TemplateCatalogue::resolve(std::string_view culture, std::string_view fallback) const {
  for (std::string_view candidate : {culture, fallback, kDefaultCulture}) {
    if (auto found = find(candidate)) return found;
  }
  return std::nullopt;
}

RenderedInvitation TemplateCatalogue::render(const std::string& culture, const InvitationVariables& variables) const {
  const Set& set = sets_.at(common::ascii_lower(culture));
  const Values values{variables, set.culture};
  const auto layout = [&](const Template& layout_template, Escape escape) {
    std::string out;
    for (const auto& piece : layout_template.pieces()) {
      if (!piece.placeholder) {
        out += piece.text;  // the layout's own markup
      } else if (auto it = set.strings.find(piece.text); it != set.strings.end()) {
        out += fill(it->second, values, escape);
      } else {
        out += escape(values[piece.text]);
      }
    }
    return out;
  };
  RenderedInvitation out;
  out.culture = set.culture;
  out.subject = fill(set.strings.at(std::string(kSubject)), values, as_is);
  out.text = layout(text_, as_is);
  out.html = layout(html_, html_escape);
  return out;
}

std::vector<std::string> TemplateCatalogue::cultures() const {
  std::vector<std::string> out;
  for (const auto& [lower, set] : sets_) out.push_back(set.culture);
  return out;
}

}  // namespace invite::mail
