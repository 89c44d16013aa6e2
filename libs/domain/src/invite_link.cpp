#include "invite/domain/invite_link.hpp"

#include <array>
#include <cassert>
#include <charconv>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "invite/common/text.hpp"
#include "invite/domain/responses.hpp"
#include "invite/domain/validation.hpp"

namespace invite::domain {
namespace {

using Bytes = std::vector<unsigned char>;
using Digest = std::array<unsigned char, 32>;

constexpr std::size_t kIvSize = 12;
constexpr std::size_t kTagSize = 16;
// Clocks of the worker that signs and of the service that checks may disagree a little.
constexpr std::int64_t kAllowedClockSkewMs = 5 * 60 * 1000;

const unsigned char* bytes_of(std::string_view text) {
  // OpenSSL refuses a null pointer (and EVP_MAC_init reads a null key as "keep the last one"), which an empty
  // string_view may carry.
  static const unsigned char kEmpty = 0;
  return text.empty() ? &kEmpty : reinterpret_cast<const unsigned char*>(text.data());
}

// OpenSSL 3 looks an algorithm up by name on every implicit use (EVP_sha256(), HMAC()), and the worker signs two
// MACs and encrypts once per invitation: the algorithms are fetched once, and each thread keeps its HMAC context
// keyed for the secret it last used (there is one link secret per process).
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

std::string base64url(const unsigned char* data, std::size_t size) {
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(size));
  assert(written >= 0);
  out.resize(static_cast<std::size_t>(written));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (char& c : out) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return out;
}

std::optional<Bytes> base64url_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 == 1) return std::nullopt;
  std::string standard;
  standard.reserve(text.size() + 3);
  for (char c : text) {
    const bool plain = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (plain) {
      standard += c;
    } else if (c == '-') {
      standard += '+';
    } else if (c == '_') {
      standard += '/';
    } else {
      return std::nullopt;
    }
  }
  const std::size_t padding = (4 - standard.size() % 4) % 4;
  standard.append(padding, '=');
  Bytes out(standard.size() / 4 * 3);
  const int written = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(standard.data()),
                                      static_cast<int>(standard.size()));
  // EVP_DecodeBlock counts the padding as zero bytes.
  if (written < 0 || static_cast<std::size_t>(written) < padding) return std::nullopt;
  out.resize(static_cast<std::size_t>(written) - padding);
  return out;
}

struct CipherContextDeleter {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using CipherContext = std::unique_ptr<EVP_CIPHER_CTX, CipherContextDeleter>;

Digest encemail_key(std::string_view secret) {
  thread_local std::pair<std::string, Digest> last;  // (secret, key): one secret per process in practice
  if (last.first != secret || last.first.empty()) last = {std::string(secret), sha256("encemail|" + std::string(secret))};
  return last.second;
}

// Derived from the e-mail rather than random: the link stays a pure function of its inputs, and distinct
// e-mails still get distinct nonces.
std::array<unsigned char, kIvSize> encemail_iv(std::string_view lower_email, std::string_view secret) {
  const auto mac = hmac_sha256(secret, "iv|" + std::string(lower_email));
  std::array<unsigned char, kIvSize> iv{};
  std::memcpy(iv.data(), mac.data(), kIvSize);
  return iv;
}

std::string encrypt_email(std::string_view lower_email, std::string_view secret) {
  const auto key = encemail_key(secret);
  const auto iv = encemail_iv(lower_email, secret);
  CipherContext context(EVP_CIPHER_CTX_new());
  assert(context);
  Bytes out(kIvSize + lower_email.size() + kTagSize);
  std::memcpy(out.data(), iv.data(), kIvSize);
  int length = 0;
  int final_length = 0;
  // Each step checked for exactly 1: some report failure as -1, which `&=` would let pass.
  const bool ok =
      EVP_EncryptInit_ex(context.get(), aes_256_gcm(), nullptr, nullptr, nullptr) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kIvSize), nullptr) == 1 &&
      EVP_EncryptInit_ex(context.get(), nullptr, nullptr, key.data(), iv.data()) == 1 &&
      EVP_EncryptUpdate(context.get(), out.data() + kIvSize, &length, bytes_of(lower_email),
                        static_cast<int>(lower_email.size())) == 1 &&
      EVP_EncryptFinal_ex(context.get(), out.data() + kIvSize + length, &final_length) == 1 &&
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagSize),
                          out.data() + kIvSize + lower_email.size()) == 1;
  // AES-GCM over bytes in memory fails only when OpenSSL itself is broken.
  assert(ok && static_cast<std::size_t>(length + final_length) == lower_email.size());
  (void)ok;
  return base64url(out.data(), out.size());
}

std::string key_hash(std::string_view lower_email, EmployeeType type, std::string_view portal_host, std::int64_t ms,
                     std::string_view secret) {
  std::string message(lower_email);
  message += "|LinkInvite|";
  message += std::to_string(static_cast<int>(type));
  message += '|';
  message += common::ascii_lower(portal_host);  // as the portal directory stores hosts
  message += '|';
  message += std::to_string(ms);
  const auto mac = hmac_sha256(secret, message);
  return base64url(mac.data(), mac.size());
}

}  // namespace

std::string invite_link(const Portal& portal, const InviteLinkInput& input, std::string_view secret) {
  const auto email = normalize_email(input.email);
  const auto key = std::to_string(input.created_at_ms) + "." +
                   key_hash(email, input.type, portal.host, input.created_at_ms, secret);
  std::string link = portal.base_url;
  link += "/confirm/LinkInvite?type=LinkInvite&key=";
  link += url_encode(key);
  link += "&encemail=";
  link += url_encode(encrypt_email(email, secret));
  link += "&uid=";
  link += url_encode(input.inviter_id);
  link += "&emplType=";
  link += std::to_string(static_cast<int>(input.type));
  link += "&culture=";
  link += url_encode(input.culture);
  return link;
}

LinkCheck check_invite_key(std::string_view key, std::string_view email, EmployeeType type,
                           std::string_view portal_host, std::int64_t now_ms, std::string_view secret,
                           std::chrono::milliseconds validity) {
  const auto dot = key.find('.');
  if (dot == std::string_view::npos || dot == 0) return LinkCheck::Invalid;
  const auto ms_text = key.substr(0, dot);
  const auto hash = key.substr(dot + 1);
  std::int64_t ms = 0;
  const auto [end, error] = std::from_chars(ms_text.data(), ms_text.data() + ms_text.size(), ms);
  // Only the canonical spelling was signed: no sign, no leading zeros, nothing after the digits.
  if (error != std::errc{} || end != ms_text.data() + ms_text.size() || ms < 0 || std::to_string(ms) != ms_text) {
    return LinkCheck::Invalid;
  }
  const auto expected = key_hash(normalize_email(email), type, portal_host, ms, secret);
  if (hash.size() != expected.size() || CRYPTO_memcmp(hash.data(), expected.data(), expected.size()) != 0) {
    return LinkCheck::Invalid;
  }
  // Unsigned differences: both operands are in range and the true difference is positive, so no overflow.
  if (ms > now_ms &&
      static_cast<std::uint64_t>(ms) - static_cast<std::uint64_t>(now_ms) > static_cast<std::uint64_t>(kAllowedClockSkewMs)) {
    return LinkCheck::Invalid;
  }
  if (now_ms > ms &&
      static_cast<std::uint64_t>(now_ms) - static_cast<std::uint64_t>(ms) > static_cast<std::uint64_t>(validity.count())) {
    return LinkCheck::Expired;
  }
  return LinkCheck::Valid;
}

std::optional<std::string> decrypt_encemail(std::string_view encemail, std::string_view secret) {
  const auto data = base64url_decode(encemail);
  if (!data || data->size() <= kIvSize + kTagSize) return std::nullopt;
  const auto key = encemail_key(secret);
  const std::size_t text_size = data->size() - kIvSize - kTagSize;
  CipherContext context(EVP_CIPHER_CTX_new());
  assert(context);
  std::string plain(text_size, '\0');
  Bytes tag(data->end() - static_cast<std::ptrdiff_t>(kTagSize), data->end());
  int length = 0;
  int final_length = 0;
  if (EVP_DecryptInit_ex(context.get(), aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(kIvSize), nullptr) != 1 ||
      EVP_DecryptInit_ex(context.get(), nullptr, nullptr, key.data(), data->data()) != 1 ||
      EVP_DecryptUpdate(context.get(), reinterpret_cast<unsigned char*>(plain.data()), &length,
                        data->data() + kIvSize, static_cast<int>(text_size)) != 1 ||
      EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagSize), tag.data()) != 1 ||
      EVP_DecryptFinal_ex(context.get(), reinterpret_cast<unsigned char*>(plain.data()) + length, &final_length) !=
          1) {
    return std::nullopt;  // wrong tag: forged, corrupt, or sealed with another secret
  }
  plain.resize(static_cast<std::size_t>(length + final_length));
  return plain;
}

}  // namespace invite::domain
