#pragma once
// The template files: <dir>/invitation.html and <dir>/invitation.txt (the layouts), and one
// <dir>/<culture>/invitation.json per culture ({"subject": "...", "heading": "...", ...}).
#include <filesystem>
#include <string>

#include "invite/common/result.hpp"
#include "invite/mail/templates.hpp"

namespace invite::mail {

// The catalogue, or an error naming the file and what is wrong with it.
common::Result<TemplateCatalogue> load_templates(const std::filesystem::path& dir);

}  // namespace invite::mail
