#pragma once
#include <filesystem>
#include <string>
#include <string_view>

#include "invite/common/result.hpp"

namespace invite::common {

// Whole file content; the error names the file and the system's reason ("cannot open <path>: No such file ...").
Result<std::string> read_file(const std::filesystem::path& path);
// Writes via a temporary file and rename so readers never see a partial file. mode e.g. 0600 for secrets.
Result<> write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode = 0644);
// A secret file's content with surrounding whitespace removed; an error when unreadable or empty. The error never
// contains the content.
Result<std::string> read_secret(const std::filesystem::path& path);

// The directory holding the running executable (/proc/self/exe), to find sibling binaries and shared files.
std::filesystem::path executable_dir();

}  // namespace invite::common
