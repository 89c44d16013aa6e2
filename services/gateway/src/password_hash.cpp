#include "password_hash.hpp"

#include <array>

#include <sodium.h>

namespace invite::gateway {
namespace {

bool sodium_ready() {
  static const bool ready = sodium_init() >= 0;  // thread-safe once; later calls are no-ops in libsodium too
  return ready;
}

}  // namespace

common::Result<std::string> hash_password(std::string_view password) {
  if (!sodium_ready()) return common::fail("libsodium could not be initialised");
  std::array<char, crypto_pwhash_STRBYTES> encoded{};
  if (crypto_pwhash_str_alg(encoded.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return common::fail("hashing a password ran out of memory");
  }
  return std::string(encoded.data());
}

bool verify_password(std::string_view encoded, std::string_view password) {
  if (!sodium_ready() || encoded.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(encoded);  // libsodium reads a NUL-terminated string
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

void wipe_secret(std::string& secret) { sodium_memzero(secret.data(), secret.size()); }

}  // namespace invite::gateway
