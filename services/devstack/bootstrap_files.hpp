#pragma once
// The files a devstack prepares in its data directory before the children start: the two secrets and the portals
// file. Each kept across runs, so that tokens, links and an operator's edits survive a restart.
#include <filesystem>
#include <optional>
#include <string>

namespace invite::devstack {

// The secret in `path`, generated (32 random bytes, hex, mode 0600) when the file does not exist. Reusing it keeps
// tokens and invitation links from earlier runs valid. nullopt (logged) when it can be neither read nor written.
std::optional<std::string> ensure_secret(const std::filesystem::path& path);

// Written once: later runs keep an operator's edits (delete the file to regenerate it). A file that is still
// exactly what we generated follows the port of this run, so that URLs handed out match it after a restart with
// --port 0. False (logged) when it cannot be written.
bool ensure_portals_file(const std::filesystem::path& path, const std::string& portal, unsigned short port);

}  // namespace invite::devstack
