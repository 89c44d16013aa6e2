#include "invite/common/files.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "invite/common/ids.hpp"

namespace fs = std::filesystem;
using namespace invite::common;

namespace {

class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("invite-files-test-" + random_hex(8));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
};

unsigned mode_of(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 07777;
}

}  // namespace

TEST_F(FilesTest, WriteThenReadBack) {
  const auto path = dir_ / "devstack.json";
  const auto written = write_file_atomic(path, "{\"a\":1}\n", 0644);
  ASSERT_TRUE(written) << written.error().message;
  EXPECT_EQ(read_file(path).value(), "{\"a\":1}\n");
  EXPECT_EQ(mode_of(path), 0644u);
}

TEST_F(FilesTest, ReplacesExistingContentAndLeavesNoTemporaryFiles) {
  const auto path = dir_ / "f.txt";
  ASSERT_TRUE(write_file_atomic(path, std::string(100000, 'x')));
  ASSERT_TRUE(write_file_atomic(path, "short"));
  EXPECT_EQ(read_file(path).value(), "short");
  int entries = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir_)) ++entries;
  EXPECT_EQ(entries, 1);
}

TEST_F(FilesTest, ModeIsExactRegardlessOfUmask) {
  const auto path = dir_ / "secret";
  const mode_t old = ::umask(0);
  const bool ok = write_file_atomic(path, "s3cret\n", 0600).has_value();
  ::umask(old);
  ASSERT_TRUE(ok);
  EXPECT_EQ(mode_of(path), 0600u);
}

TEST_F(FilesTest, BinaryContentSurvives) {
  const auto path = dir_ / "bin";
  const std::string content("a\0b\xff", 4);
  ASSERT_TRUE(write_file_atomic(path, content));
  EXPECT_EQ(read_file(path).value(), content);
}

TEST_F(FilesTest, WriteIntoMissingDirectoryFails) {
  const auto written = write_file_atomic(dir_ / "no" / "such" / "file", "x", 0644);
  ASSERT_FALSE(written);
  EXPECT_FALSE(written.error().message.empty());
}

TEST_F(FilesTest, ReadMissingFileReportsWhy) {
  const auto content = read_file(dir_ / "missing");
  ASSERT_FALSE(content);
  const std::string error = content.error().message;
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
  EXPECT_NE(error.find("No such file"), std::string::npos) << error;
}

TEST_F(FilesTest, ReadSecretTrimsWhitespace) {
  const auto path = dir_ / "token-secret";
  ASSERT_TRUE(write_file_atomic(path, "  \tkey with inner space\r\n\n", 0600));
  EXPECT_EQ(read_secret(path).value(), "key with inner space");
}

TEST_F(FilesTest, ReadSecretRejectsEmptyOrMissing) {
  const auto path = dir_ / "empty";
  ASSERT_TRUE(write_file_atomic(path, " \n\t\n"));
  const auto empty = read_secret(path);
  ASSERT_FALSE(empty);
  EXPECT_NE(empty.error().message.find("empty"), std::string::npos) << empty.error().message;
  const auto missing = read_secret(dir_ / "missing");
  ASSERT_FALSE(missing);
  EXPECT_FALSE(missing.error().message.empty());
}
