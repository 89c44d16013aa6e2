#pragma once
// Runs tests/contract/check_event_schemas.py (the stock jsonschema validator under /usr/bin/python3) over documents
// the codecs wrote: the C++ encoders are checked against proto/events/, the contract consumers read.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/temp_dir.hpp"

namespace invite::events {

using invite::testing::TempDir;

inline std::string quoted(const std::filesystem::path& path) { return "'" + path.string() + "'"; }

inline int exit_code(int system_result) {
  if (system_result == -1 || !WIFEXITED(system_result)) return -1;
  return WEXITSTATUS(system_result);
}

class EventSchemas : public ::testing::Test {
 protected:
  void SetUp() override {
    // A failure, not a skip: scripts/install-deps installs it, and a skipped contract check would let proto/ rot.
    ASSERT_EQ(exit_code(std::system("/usr/bin/python3 -c 'import jsonschema' >/dev/null 2>&1")), 0)
        << "/usr/bin/python3 lacks jsonschema: run scripts/install-deps";
  }

  std::filesystem::path write(const std::string& name, const std::string& text) {
    const auto path = dir_.path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  int check(const std::vector<std::filesystem::path>& files) {
    const std::filesystem::path source = INVITE_SOURCE_DIR;
    std::string command = "/usr/bin/python3 " + quoted(source / "tests/contract/check_event_schemas.py") + " " +
                          quoted(source / "proto/events");
    for (const auto& file : files) command += " " + quoted(file);
    command += " > " + quoted(dir_.path() / "check.log") + " 2>&1";
    const int code = exit_code(std::system(command.c_str()));
    std::ifstream log(dir_.path() / "check.log");
    output_.assign(std::istreambuf_iterator<char>(log), std::istreambuf_iterator<char>());
    return code;
  }

  TempDir dir_;
  std::string output_;
};

}  // namespace invite::events
