#include "hash_pool.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "password_hash.hpp"

namespace invite::gateway {

struct HashPool::Impl {
  explicit Impl(std::size_t threads) : pool(threads) {}
  boost::asio::thread_pool pool;
};

HashPool::HashPool(std::size_t threads, std::size_t max_queued, HashFunction hash)
    : impl_(std::make_unique<Impl>(threads)), hash_(std::move(hash)), max_queued_(max_queued) {}

HashPool::HashPool(std::size_t threads, std::size_t max_queued) : HashPool(threads, max_queued, &hash_password) {}

HashPool::~HashPool() { impl_->pool.join(); }

bool HashPool::submit(std::string secret, HashDone on_done) {
  // Reserve a place first, so that concurrent submits never pass the bound together.
  std::size_t now = queued_.load();
  do {
    if (now >= max_queued_) {
      wipe_secret(secret);
      return false;
    }
  } while (!queued_.compare_exchange_weak(now, now + 1));
  boost::asio::post(impl_->pool, [this, secret = std::move(secret), on_done = std::move(on_done)]() mutable {
    auto encoded = hash_(secret);
    wipe_secret(secret);
    queued_.fetch_sub(1);
    on_done(std::move(encoded));
  });
  return true;
}

}  // namespace invite::gateway
