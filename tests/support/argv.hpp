#pragma once
// argv as main() sees it, for tests of command-line parsing; keeps the strings alive for the parse call.
#include <initializer_list>
#include <string>
#include <vector>

namespace invite::testing {

class Argv {
 public:
  Argv(std::initializer_list<std::string> args) : storage_(args) {
    for (auto& s : storage_) pointers_.push_back(s.data());
  }
  int argc() const { return static_cast<int>(pointers_.size()); }
  char** argv() { return pointers_.data(); }

 private:
  std::vector<std::string> storage_;
  std::vector<char*> pointers_;
};

}  // namespace invite::testing
