#pragma once
// Where the accept's password is hashed: off the HTTP I/O threads, on a small pool of its own, with a bound on the
// hashes waiting or running. One Argon2id hash takes tens of milliseconds and 64 MiB (password_hash.hpp): on an I/O
// thread it would stall every other request of that thread, and unbounded it would let a burst of accepts take a
// pod's memory. The bound turns such a burst into fast 503s.
#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "invite/common/result.hpp"

namespace invite::gateway {

using HashDone = std::function<void(common::Result<std::string> encoded)>;

class PasswordHasher {
 public:
  virtual ~PasswordHasher() = default;
  // Hashes `secret` elsewhere; on_done runs once, on another thread, with the encoded hash. False, with nothing
  // started, when the bound is reached. The secret is wiped from memory once hashed.
  virtual bool submit(std::string secret, HashDone on_done) = 0;
  // Hashes waiting or running.
  virtual std::size_t queued() const = 0;
};

class HashPool final : public PasswordHasher {
 public:
  using HashFunction = std::function<common::Result<std::string>(std::string_view secret)>;
  // threads: how many hash at once (each holds 64 MiB while it runs); max_queued: hashes waiting or running.
  HashPool(std::size_t threads, std::size_t max_queued, HashFunction hash);
  HashPool(std::size_t threads, std::size_t max_queued);  // with hash_password
  ~HashPool() override;                                   // waits for the hashes already started
  HashPool(const HashPool&) = delete;
  HashPool& operator=(const HashPool&) = delete;

  bool submit(std::string secret, HashDone on_done) override;
  std::size_t queued() const override { return queued_.load(); }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  HashFunction hash_;
  const std::size_t max_queued_;
  std::atomic<std::size_t> queued_{0};
};

}  // namespace invite::gateway
