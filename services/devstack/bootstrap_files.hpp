#pragma once
// The files a devstack prepares in its data directory before the children start: the two secrets and the portals
// file. Each kept across runs, so that tokens, links and an operator's edits survive a restart.
#include <filesystem>
#include <optional>
#include <string>

#include "invite/common/result.hpp"

namespace invite::devstack {

// The secret in `path`, generated (32 random bytes, hex, mode 0600) when the file does not exist. Reusing it keeps
// tokens and invitation links from earlier runs valid. An error (already logged) when it can be neither read nor
// written.
common::Result<std::string> ensure_secret(const std::filesystem::path& path);

// Written once: later runs keep an operator's edits (delete the file to regenerate it). A file that is still
// exactly what we generated follows the port of this run, so that URLs handed out match it after a restart with
// --port 0. An error (already logged) when it cannot be written.
common::Result<> ensure_portals_file(const std::filesystem::path& path, const std::string& portal, unsigned short port);

}  // namespace invite::devstack
