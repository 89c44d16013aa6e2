#include "password_hash.hpp"

#include <gtest/gtest.h>

namespace invite::gateway {
namespace {

TEST(HashPassword, MakesAnArgon2idHash) {
  EXPECT_EQ(hash_password("correct horse").value().rfind("$argon2id$", 0), 0U);
}

TEST(HashPassword, NeverContainsThePassword) {
  EXPECT_EQ(hash_password("correct horse").value().find("correct horse"), std::string::npos);
}

TEST(HashPassword, SaltsEachHash) { EXPECT_NE(hash_password("same").value(), hash_password("same").value()); }

TEST(VerifyPassword, AcceptsThePasswordThatWasHashed) {
  EXPECT_TRUE(verify_password(hash_password("correct horse").value(), "correct horse"));
}

TEST(VerifyPassword, RefusesAnotherPassword) {
  EXPECT_FALSE(verify_password(hash_password("correct horse").value(), "battery staple"));
}

TEST(VerifyPassword, RefusesAMalformedHash) { EXPECT_FALSE(verify_password("$argon2id$nonsense", "x")); }

}  // namespace
}  // namespace invite::gateway
