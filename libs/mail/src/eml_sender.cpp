#include "invite/mail/eml_sender.hpp"

#include "invite/common/files.hpp"

namespace invite::mail {
namespace {

class EmlSender final : public Sender {
 public:
  explicit EmlSender(std::filesystem::path dir) : dir_(std::move(dir)) {}

  SendResult send(const Envelope& envelope, std::string_view message) override {
    SendResult result;
    result.location = (dir_ / (file_stem(envelope.id) + ".eml")).string();
    if (auto written = common::write_file_atomic(result.location, message, 0644); !written) {
      result.outcome = SendOutcome::Transient;  // a full or read-only disk may recover
      result.reason = "cannot write " + result.location + ": " + written.error().message;
      return result;
    }
    result.outcome = SendOutcome::Delivered;
    result.reason = "written";
    return result;
  }

  std::string describe() const override { return "files in " + dir_.string(); }

 private:
  // The id is a uuid; anything else is reduced to characters that are safe in a file name.
  static std::string file_stem(const std::string& id) {
    std::string out;
    for (char c : id) {
      const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      out += keep ? c : '_';
    }
    return out.empty() ? std::string("message") : out;
  }

  std::filesystem::path dir_;
};

}  // namespace

common::Result<std::unique_ptr<Sender>> make_eml_sender(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return common::fail("cannot create " + dir.string() + ": " + ec.message());
  return std::unique_ptr<Sender>(std::make_unique<EmlSender>(std::filesystem::absolute(dir)));
}

}  // namespace invite::mail
