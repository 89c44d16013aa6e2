#include "invite/common/crypto.hpp"

#include <cassert>
#include <cstring>
#include <memory>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace invite::common {
namespace {

const unsigned char* bytes_of(std::string_view text) {
  // OpenSSL refuses a null pointer (and EVP_MAC_init reads a null key as "keep the last one"), which an empty
  // string_view may carry.
  static const unsigned char kEmpty = 0;
  return text.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(text.data());
}

// OpenSSL 3 looks an algorithm up by name on every implicit use (EVP_sha256(), HMAC()), and the worker signs two
// MACs and encrypts once per invitation: the algorithms are fetched once.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  assert(md != nullptr);
  return md;
}

const EVP_CIPHER* aes_256_gcm() {
  static EVP_CIPHER* const cipher = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
  assert(cipher != nullptr);
  return cipher;
}

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

bool is_alnum(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

}  // namespace

Digest hmac_sha256(std::string_view key, std::string_view message) {
  struct Keyed {
    std::string key;
    EVP_MAC_CTX* context = nullptr;
    ~Keyed() { EVP_MAC_CTX_free(context); }
  };
  thread_local Keyed keyed;
  bool ok = true;
  if (keyed.context == nullptr || keyed.key != key) {
    static EVP_MAC* const hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    assert(hmac != nullptr);
    EVP_MAC_CTX_free(keyed.context);
    keyed.context = EVP_MAC_CTX_new(hmac);
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_construct_end()};
    ok = keyed.context != nullptr && EVP_MAC_init(keyed.context, bytes_of(key), key.size(), params) == 1;
    keyed.key.assign(key);
  } else {
    ok = EVP_MAC_init(keyed.context, nullptr, 0, nullptr) == 1;  // same key, fresh message
  }
  Digest out{};
  std::size_t length = 0;
  ok = ok && EVP_MAC_update(keyed.context, bytes_of(message), message.size()) == 1 &&
       EVP_MAC_final(keyed.context, out.data(), &length, out.size()) == 1;
  // HMAC-SHA256 over bytes in memory fails only when OpenSSL itself is broken.
  assert(ok && length == out.size());
  (void)ok;
  return out;
}

Digest sha256(std::string_view message) {
  Digest out{};
  unsigned int length = 0;
  const int ok = EVP_Digest(bytes_of(message), message.size(), out.data(), &length, sha256_algorithm(), nullptr);
  assert(ok == 1 && length == out.size());
  (void)ok;
  return out;
}

std::string base64(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += {kAlphabet[(v >> 18) & 63], kAlphabet[(v >> 12) & 63], kAlphabet[(v >> 6) & 63], kAlphabet[v & 63]};
  }
  if (const std::size_t rest = bytes.size() - i; rest > 0) {
    unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
    if (rest == 2) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64url(std::string_view bytes) {
  std::string out = base64(bytes);
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::string base64url(const Digest& digest) {
  return base64url(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

bool is_base64url(std::string_view text) {
  for (char c : text) {
    if (!is_alnum(c) && c != '-' && c != '_') return false;
  }
  return true;
}

std::optional<std::string> base64url_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 == 1 || !is_base64url(text)) return std::nullopt;
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) standard += c == '-' ? '+' : c == '_' ? '/' : c;
  const std::size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');
  std::string out(standard.size() / 4 * 3, '\0');
  const int written =
      EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                      reinterpret_cast<const unsigned char*>(standard.data()), static_cast<int>(standard.size()));
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (written < 0 || static_cast<std::size_t>(written) < padding) return std::nullopt;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(bytes_of(a), bytes_of(b), a.size()) == 0;
}

std::string aes256gcm_seal(const Digest& key, const std::array<unsigned char, kGcmIvSize>& iv, std::string_view plain) {
  CipherContext context(EVP_CIPHER_CTX_new());
  assert(context);
  std::string out(kGcmIvSize + plain.size() + kGcmTagSize, '\0');
  auto* bytes = reinterpret_cast<unsigned char*>(out.data());
  std::memcpy(bytes, iv.data(), kGcmIvSize);
  int length = 0;
  int final_length = 0;
  // Each step checked for exactly 1: some report failure as -1, which `&=` would let pass.
  const bool ok =
      EVP_EncryptInit_ex(context.get(), aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmIvSize), nullptr) == 1 &&
      EVP_EncryptInit_ex(context.get(), nullptr, nullptr, key.data(), iv.data()) == 1 &&
      EVP_EncryptUpdate(context.get(), bytes + kGcmIvSize, &length, bytes_of(plain), static_cast<int>(plain.size())) ==
          1 &&
      EVP_EncryptFinal_ex(context.get(), bytes + kGcmIvSize + length, &final_length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kGcmTagSize),
                          bytes + kGcmIvSize + plain.size()) == 1;
  // AES-GCM over bytes in memory fails only when OpenSSL itself is broken.
  assert(ok && static_cast<std::size_t>(length + final_length) == plain.size());
  (void)ok;
  return out;
}

std::optional<std::string> aes256gcm_open(const Digest& key, std::string_view sealed) {
  if (sealed.size() < kGcmIvSize + kGcmTagSize) return std::nullopt;
  const auto* bytes = reinterpret_cast<const unsigned char*>(sealed.data());
  const std::size_t text_size = sealed.size() - kGcmIvSize - kGcmTagSize;
  CipherContext context(EVP_CIPHER_CTX_new());
  assert(context);
  std::string plain(text_size, '\0');
  std::vector<unsigned char> tag(bytes + kGcmIvSize + text_size, bytes + sealed.size());
  int length = 0;
  int final_length = 0;
  if (EVP_DecryptInit_ex(context.get(), aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kGcmIvSize), nullptr) != 1 ||
      EVP_DecryptInit_ex(context.get(), nullptr, nullptr, key.data(), bytes) != 1 ||
      EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plain.data()), &length, bytes + kGcmIvSize,
                        static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kGcmTagSize), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plain.data()) + length, &final_length) != 1) {
    return std::nullopt;
  }
  plain.resize(static_cast<std::size_t>(length) + static_cast<std::size_t>(final_length));
  return plain;
}

}  // namespace invite::common
