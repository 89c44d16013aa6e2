#pragma once
// The embedded default: each e-mail becomes <dir>/<id>.eml, which any mail program opens. Writing the same
// job again replaces its file, so a redelivered job never leaves a second e-mail behind.
#include <filesystem>
#include <memory>
#include <string>

#include "invite/common/result.hpp"
#include "invite/mail/sender.hpp"

namespace invite::mail {

// Creates the directory; an error when it cannot.
common::Result<std::unique_ptr<Sender>> make_eml_sender(const std::filesystem::path& dir);

}  // namespace invite::mail
