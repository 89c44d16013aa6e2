// The hashing pool: off the caller's thread, bounded, and with the real Argon2id by default.
#include "hash_pool.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>

#include "password_hash.hpp"

namespace invite::gateway {
namespace {

TEST(HashPool, HashesOnAnotherThreadWithArgon2id) {
  HashPool pool(1, 1);
  std::promise<std::pair<std::string, std::thread::id>> done;
  ASSERT_TRUE(pool.submit("correct horse battery staple", [&](common::Result<std::string> encoded) {
    done.set_value({encoded ? *encoded : "", std::this_thread::get_id()});
  }));
  const auto [encoded, thread] = done.get_future().get();
  EXPECT_NE(thread, std::this_thread::get_id());
  EXPECT_TRUE(verify_password(encoded, "correct horse battery staple"));
}

TEST(HashPool, RefusesPastItsBoundUntilAHashEnds) {
  std::promise<void> release;
  auto released = release.get_future().share();
  HashPool pool(1, 1, [released](std::string_view) -> common::Result<std::string> {
    released.wait();
    return std::string("$argon2id$fake");
  });
  std::promise<void> first_done;
  ASSERT_TRUE(pool.submit("one", [&](common::Result<std::string>) { first_done.set_value(); }));
  EXPECT_EQ(pool.queued(), 1u);
  EXPECT_FALSE(pool.submit("two", [](common::Result<std::string>) { ADD_FAILURE() << "must not run"; }));
  release.set_value();
  first_done.get_future().wait();
  EXPECT_EQ(pool.queued(), 0u);
  std::promise<void> third_done;
  EXPECT_TRUE(pool.submit("three", [&](common::Result<std::string>) { third_done.set_value(); }));
  third_done.get_future().wait();
}

TEST(HashPool, PassesAHashFailureOn) {
  HashPool pool(1, 1, [](std::string_view) -> common::Result<std::string> { return common::fail("no memory"); });
  std::promise<std::string> done;
  ASSERT_TRUE(pool.submit(
      "x", [&](common::Result<std::string> encoded) { done.set_value(encoded ? "" : encoded.error().message); }));
  EXPECT_EQ(done.get_future().get(), "no memory");
}

}  // namespace
}  // namespace invite::gateway
