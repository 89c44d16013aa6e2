#include "invite/domain/account_rules.hpp"

#include <gtest/gtest.h>

#include <string>

namespace invite::domain {
namespace {

using Rules = std::vector<PasswordRule>;

TEST(PasswordViolations, NoneForEightCharactersUnderTheDefaultPolicy) {
  EXPECT_EQ(password_violations("abcdefgh", PasswordPolicy{}), Rules{});
}

TEST(PasswordViolations, TooShortBelowTheMinimum) {
  EXPECT_EQ(password_violations("abcdefg", PasswordPolicy{}), Rules{PasswordRule::TooShort});
}

TEST(PasswordViolations, TooLongAboveTheMaximum) {
  EXPECT_EQ(password_violations(std::string(121, 'a'), PasswordPolicy{}), Rules{PasswordRule::TooLong});
}

TEST(PasswordViolations, CountsCodePointsNotBytes) {
  // Seven two-byte letters: 14 bytes, still too short.
  EXPECT_EQ(password_violations("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", PasswordPolicy{}),
            Rules{PasswordRule::TooShort});
}

TEST(PasswordViolations, DefaultPolicyAsksForNoCharacterClasses) {
  EXPECT_TRUE(password_violations("aaaaaaaa", PasswordPolicy{}).empty());
}

TEST(PasswordViolations, NamesEveryMissingClassTheStrictPolicyAsksFor) {
  const PasswordPolicy strict{8, 120, true, true, true};
  EXPECT_EQ(password_violations("abcdefgh", strict),
            (Rules{PasswordRule::NoUpperCase, PasswordRule::NoDigit, PasswordRule::NoSpecialCharacter}));
}

TEST(PasswordViolations, AcceptsEveryClassTheStrictPolicyAsksFor) {
  const PasswordPolicy strict{8, 120, true, true, true};
  EXPECT_TRUE(password_violations("Abcdef1!", strict).empty());
}

TEST(PasswordViolations, ReportsLengthAndClassesTogether) {
  const PasswordPolicy digits{8, 120, false, true, false};
  EXPECT_EQ(password_violations("abc", digits), (Rules{PasswordRule::TooShort, PasswordRule::NoDigit}));
}

TEST(PasswordViolations, DoesNotCountANonAsciiLetterAsSpecial) {
  const PasswordPolicy special{8, 120, false, false, true};
  EXPECT_EQ(password_violations("abcdefg\xc3\xa9", special), Rules{PasswordRule::NoSpecialCharacter});
}

TEST(CheckName, AcceptsAnOrdinaryName) { EXPECT_EQ(check_name("Zo\xc3\xab O'Brien-Smith"), std::nullopt); }

TEST(CheckName, RefusesAnEmptyName) { EXPECT_EQ(check_name(""), NameProblem::Empty); }

TEST(CheckName, RefusesANameOfSpacesOnly) { EXPECT_EQ(check_name(" \t "), NameProblem::Empty); }

TEST(CheckName, AcceptsTwoHundredFiftyFiveCharacters) { EXPECT_EQ(check_name(std::string(255, 'a')), std::nullopt); }

TEST(CheckName, RefusesMoreThanTwoHundredFiftyFiveCharacters) {
  EXPECT_EQ(check_name(std::string(256, 'a')), NameProblem::TooLong);
}

TEST(CheckName, RefusesALineBreakInside) { EXPECT_EQ(check_name("Alice\nBcc: x"), NameProblem::ControlCharacter); }

TEST(CheckName, RefusesAC1ControlCharacter) { EXPECT_EQ(check_name("Alice\xc2\x85"), NameProblem::ControlCharacter); }

TEST(CheckName, RefusesAngleBrackets) { EXPECT_EQ(check_name("<b>Alice</b>"), NameProblem::AngleBracket); }

}  // namespace
}  // namespace invite::domain
