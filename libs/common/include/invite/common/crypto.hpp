#pragma once
// The one place that holds OpenSSL's primitives and the base64 alphabets: link signing (domain), token checks
// (auth) and MIME encoded-words (mail) share them, so that each is written and reviewed once.
#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace invite::common {

using Digest = std::array<unsigned char, 32>;

// HMAC-SHA256. Each thread keeps its context keyed for the key it last used (services have one secret each),
// because OpenSSL 3 would otherwise look the algorithm up by name on every call.
Digest hmac_sha256(std::string_view key, std::string_view message);
Digest sha256(std::string_view message);

// RFC 4648 section 4, with '=' padding (MIME).
std::string base64(std::string_view bytes);
// RFC 4648 section 5 without padding (URLs, JWS).
std::string base64url(std::string_view bytes);
std::string base64url(const Digest& digest);
// Accepts exactly the base64url alphabet, padding omitted; nullopt for anything else.
std::optional<std::string> base64url_decode(std::string_view text);
// True when `text` uses only the base64url alphabet (an empty text does).
bool is_base64url(std::string_view text);

// Compares in time independent of where the texts differ, so a forger learns nothing from response timing.
bool constant_time_equal(std::string_view a, std::string_view b);

// AES-256-GCM with a 12-byte IV: iv || ciphertext || 16-byte tag. open() returns nullopt when the tag does not
// match (forged, corrupt, or sealed with another key) or the input is too short.
inline constexpr std::size_t kGcmIvSize = 12;
inline constexpr std::size_t kGcmTagSize = 16;
std::string aes256gcm_seal(const Digest& key, const std::array<unsigned char, kGcmIvSize>& iv, std::string_view plain);
std::optional<std::string> aes256gcm_open(const Digest& key, std::string_view sealed);

}  // namespace invite::common
