#pragma once
// The accepting person's password (or the hash their client made of it) as the only form we keep: libsodium's
// Argon2id (crypto_pwhash_str), a slow, salted, memory-hard hash in the self-describing "$argon2id$v=19$m=..,t=..,
// p=..$salt$hash" encoding, so later parameter changes still verify old hashes. Made in the gateway, before anything
// is published: no password, and nothing reversible to one, reaches Kafka, a log or a metric. Never log the input.
//
// Cost: libsodium's INTERACTIVE limits (2 passes, 64 MiB). The gateway hashes on a request path and must stay
// responsive for every other request: MODERATE (256 MiB, about 0.7 s a hash) would let a handful of concurrent
// accepts exhaust a pod's memory. Interactive is what libsodium recommends for online logins, and an accept happens
// once per user. Callers run it off the I/O thread (it takes tens of milliseconds) and bound how many run at once.
#include <string>
#include <string_view>

#include "invite/common/result.hpp"

namespace invite::gateway {

// The encoded Argon2id hash; fails only when libsodium cannot start or cannot get the memory.
common::Result<std::string> hash_password(std::string_view password);
// True when `encoded` is a hash of `password` (for tests and a future login).
bool verify_password(std::string_view encoded, std::string_view password);
// Overwrites a secret's bytes in place (a store the compiler may not drop), for buffers that held a password.
void wipe_secret(std::string& secret);

}  // namespace invite::gateway
