#include "invite/mail/template_files.hpp"

#include <nlohmann/json.hpp>

#include "invite/common/files.hpp"
#include "invite/domain/validation.hpp"

namespace invite::mail {

common::Result<TemplateCatalogue> load_templates(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const auto html = common::read_file(dir / "invitation.html");
  if (!html) return common::fail("cannot read " + (dir / "invitation.html").string() + ": " + html.error().message);
  const auto text = common::read_file(dir / "invitation.txt");
  if (!text) return common::fail("cannot read " + (dir / "invitation.txt").string() + ": " + text.error().message);

  std::map<std::string, TemplateCatalogue::Strings> strings_by_culture;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string culture = it->path().filename().string();
    const fs::path file = it->path() / "invitation.json";
    // Other directories (a README's images, say) are not cultures.
    if (!it->is_directory() || !domain::is_valid_culture(culture)) continue;
    const auto content = common::read_file(file);
    if (!content) return common::fail("cannot read " + file.string() + ": " + content.error().message);
    const auto document = nlohmann::json::parse(*content, nullptr, false);
    if (!document.is_object()) return common::fail(file.string() + ": not a JSON object");
    TemplateCatalogue::Strings strings;
    for (const auto& [key, value] : document.items()) {
      if (!value.is_string()) return common::fail(file.string() + ": '" + key + "' must be a string");
      strings.emplace(key, value.get<std::string>());
    }
    strings_by_culture.emplace(culture, std::move(strings));
  }
  if (ec) return common::fail("cannot list " + dir.string() + ": " + ec.message());
  auto catalogue = TemplateCatalogue::build(*html, *text, strings_by_culture);
  if (!catalogue) return common::fail(dir.string() + ": " + catalogue.error().message);
  return catalogue;
}

}  // namespace invite::mail
