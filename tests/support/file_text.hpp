#pragma once
// A file's content, or "" when it cannot be read: for tests that poll for a file or print a log when they fail.
#include <filesystem>
#include <string>
#include <utility>

#include "invite/common/files.hpp"

namespace invite::testing {

inline std::string file_text(const std::filesystem::path& path) {
  auto content = common::read_file(path);
  return content ? std::move(*content) : std::string();
}

}  // namespace invite::testing
