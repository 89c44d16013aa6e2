#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace invite::common {

// Whole file content, or nullopt (with errno-based reason in *error) when it cannot be read.
std::optional<std::string> read_file(const std::filesystem::path& path, std::string* error = nullptr);
// Writes via a temporary file and rename so readers never see a partial file. mode e.g. 0600 for secrets.
bool write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644,
                       std::string* error = nullptr);
// A secret file's content with surrounding whitespace removed; nullopt when unreadable or empty.
std::optional<std::string> read_secret(const std::filesystem::path& path, std::string* error = nullptr);

// The directory holding the running executable (/proc/self/exe), to find sibling binaries and shared files.
std::filesystem::path executable_dir();

}  // namespace invite::common
