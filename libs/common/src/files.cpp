#include "invite/common/files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "invite/common/text.hpp"

namespace invite::common {
namespace {

Error system_error(const std::string& what, const std::filesystem::path& path, int err) {
  return fail(what + " " + path.string() + ": " + std::strerror(err));
}

// Closes on every path out of a function, so early returns cannot leak descriptors.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Reports close errors: on some filesystems a failed write only shows up here.
  int close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

}  // namespace

Result<std::string> read_file(const std::filesystem::path& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return system_error("cannot open", path, errno);
  std::string content;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return system_error("cannot read", path, errno);
    }
    if (n == 0) break;
    content.append(buf, static_cast<std::size_t>(n));
  }
  return content;
}

Result<> write_file_atomic(const std::filesystem::path& path, std::string_view content, unsigned mode) {
  // The temporary file must live in the target's directory: rename is only atomic within one filesystem.
  const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
  std::string tmpl = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(tmpl.begin(), tmpl.end());
  name.push_back('\0');

  Fd fd(::mkostemp(name.data(), O_CLOEXEC));
  if (fd.get() < 0) return system_error("cannot create temporary file for", path, errno);
  const std::filesystem::path tmp(name.data());
  auto give_up = [&](const char* what) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return system_error(what, tmp, err);
  };

  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd.get(), content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return give_up("cannot write");
    }
    written += static_cast<std::size_t>(n);
  }
  // fchmod is not subject to the umask, so a 0600 secret is exactly 0600 before anyone can see its name.
  if (::fchmod(fd.get(), static_cast<mode_t>(mode)) != 0) return give_up("cannot chmod");
  // Without fsync a crash after rename can leave an empty file under the final name.
  if (::fsync(fd.get()) != 0) return give_up("cannot fsync");
  if (fd.close() != 0) return give_up("cannot close");
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return system_error("cannot rename onto", path, err);
  }
  // Persist the directory entry too; failure here does not undo the (already visible) new content.
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() >= 0) ::fsync(dir_fd.get());
  return {};
}

Result<std::string> read_secret(const std::filesystem::path& path) {
  auto content = read_file(path);
  if (!content) return content.error();
  const auto secret = trim(*content);
  if (secret.empty()) return fail("secret file " + path.string() + " is empty");
  return std::string(secret);
}

std::filesystem::path executable_dir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return std::filesystem::current_path(ec);
  return exe.parent_path();
}

}  // namespace invite::common
