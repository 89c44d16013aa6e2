#include "invite/mail/templates.hpp"

#include <gtest/gtest.h>

namespace invite::mail {
namespace {

using Strings = TemplateCatalogue::Strings;

const char* kHtml =
    R"(<html lang="{{culture}}"><h1>{{heading}}</h1><a href="{{confirmationLink}}">{{button}}</a></html>)";
const char* kText = "{{heading}}\n{{button}}: {{confirmationLink}}\n";

Strings strings(const std::string& tag) {
  return {{"subject", "Join {{portalName}} DocSpace (" + tag + ")"},
          {"heading", "Welcome to {{portalName}}, {{recipientEmail}} (" + tag + ")"},
          {"button", "Accept " + tag}};
}

TemplateCatalogue catalogue(const std::vector<std::string>& cultures) {
  std::map<std::string, Strings> sets;
  for (const auto& culture : cultures) sets.emplace(culture, strings(culture));
  auto built = TemplateCatalogue::build(kHtml, kText, sets);
  if (!built) throw std::runtime_error(built.error().message);
  return std::move(*built);
}

std::string build_error(const std::string& html, const std::map<std::string, Strings>& sets) {
  auto built = TemplateCatalogue::build(html, kText, sets);
  return built ? "" : built.error().message;
}

InvitationVariables variables() {
  return {"Acme & Sons <DocSpace>", "https://acme.example/confirm?a=1&b=\"2\"", "o'brien@acme.example",
          "2026-12-03 11:52 UTC"};
}

TEST(Templates, EveryVariableIsHtmlEscapedInTheHtmlPartOnly) {
  const auto rendered = catalogue({"en-US"}).render("en-US", variables());
  EXPECT_EQ(
      rendered.html,
      "<html lang=\"en-US\"><h1>Welcome to Acme &amp; Sons &lt;DocSpace&gt;, o&#39;brien@acme.example (en-US)</h1>"
      "<a href=\"https://acme.example/confirm?a=1&amp;b=&quot;2&quot;\">Accept en-US</a></html>");
  EXPECT_EQ(rendered.text,
            "Welcome to Acme & Sons <DocSpace>, o'brien@acme.example (en-US)\n"
            "Accept en-US: https://acme.example/confirm?a=1&b=\"2\"\n");
  EXPECT_EQ(rendered.subject, "Join Acme & Sons <DocSpace> DocSpace (en-US)");
  EXPECT_EQ(rendered.culture, "en-US");
}

TEST(Templates, TranslatedTextIsEscapedToo) {
  std::map<std::string, Strings> sets{{"en-US", strings("x")}};
  sets["en-US"]["button"] = "<b>Accept</b>";
  auto built = TemplateCatalogue::build(kHtml, kText, sets);
  ASSERT_TRUE(built.has_value());
  const auto html = built->render("en-US", variables()).html;
  EXPECT_NE(html.find("&lt;b&gt;Accept&lt;/b&gt;"), std::string::npos) << html;
}

TEST(Templates, FallbackGoesFromCultureToLanguageToPortalDefaultToEnglish) {
  const auto c = catalogue({"en-US", "de-DE", "pt-BR", "pt-PT", "fr", "fr-CA"});
  EXPECT_EQ(c.resolve("de-DE", "en-US"), "de-DE");
  EXPECT_EQ(c.resolve("DE-de", "en-US"), "de-DE");  // case does not matter
  EXPECT_EQ(c.resolve("de-AT", "en-US"), "de-DE");  // the language's only set
  EXPECT_EQ(c.resolve("fr-BE", "en-US"), "fr");     // a set for the language itself wins
  EXPECT_EQ(c.resolve("pt", "en-US"), "pt-BR");     // the first of the language by name
  EXPECT_EQ(c.resolve("ja-JP", "de-DE"), "de-DE");  // the portal's default culture
  EXPECT_EQ(c.resolve("ja-JP", "pt-AO"), "pt-BR");  // ... with the same steps
  EXPECT_EQ(c.resolve("ja-JP", "ko-KR"), "en-US");  // then English
  EXPECT_EQ(c.resolve("", ""), "en-US");
  EXPECT_EQ(catalogue({"ru-RU"}).resolve("ja-JP", "ko-KR"), std::nullopt);
}

TEST(Templates, MistakesAreFoundWhenTheCatalogueIsBuilt) {
  auto missing = strings("x");
  missing.erase("button");
  EXPECT_EQ(build_error(kHtml, {{"en-US", missing}}), "culture 'en-US': missing 'button'");
  auto extra = strings("x");
  extra["footer"] = "unused";
  EXPECT_EQ(build_error(kHtml, {{"en-US", extra}}), "culture 'en-US': 'footer' is used by no layout");
  auto typo = strings("x");
  typo["heading"] = "Hello {{portalNmae}}";
  EXPECT_EQ(build_error(kHtml, {{"en-US", typo}}), "culture 'en-US', 'heading': unknown variable 'portalNmae'");
  auto unclosed = strings("x");
  unclosed["heading"] = "Hello {{portalName";
  EXPECT_EQ(build_error(kHtml, {{"en-US", unclosed}}), "culture 'en-US', 'heading': '{{' without '}}'");
  EXPECT_EQ(build_error(kHtml, {{"english", strings("x")}}), "culture 'english': not ll or ll-CC");
  EXPECT_EQ(build_error("<p>{{ }}</p>", {{"en-US", strings("x")}}), "HTML layout: malformed placeholder '{{ }}'");
  EXPECT_EQ(build_error(kHtml, {}), "no culture has strings");
}

TEST(Templates, ParseSplitsLiteralsAndPlaceholders) {
  auto parsed = Template::parse("a {{ x }} b{{y}}");
  ASSERT_TRUE(parsed.has_value());
  const auto& pieces = parsed->pieces();
  ASSERT_EQ(pieces.size(), 4u);
  EXPECT_EQ(pieces[0].text, "a ");
  EXPECT_TRUE(pieces[1].placeholder);
  EXPECT_EQ(pieces[1].text, "x");
  EXPECT_EQ(pieces[2].text, " b");
  EXPECT_EQ(pieces[3].text, "y");
  EXPECT_TRUE(Template::parse(""));
}

TEST(Templates, HtmlEscape) {
  EXPECT_EQ(html_escape(R"(<a href="x">&'</a>)"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;");
}

}  // namespace
}  // namespace invite::mail
