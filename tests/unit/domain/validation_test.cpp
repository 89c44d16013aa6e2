#include "invite/domain/validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace invite::domain {
namespace {

// local part of 64 characters + '@' + a domain of `domain_length` characters (labels of at most 63).
std::string email_of_length(std::size_t total) {
  const std::string local(64, 'l');
  const std::size_t domain_length = total - local.size() - 1;
  const std::size_t third = domain_length - (63 + 1 + 63 + 1) - 4;
  return local + "@" + std::string(63, 'a') + "." + std::string(63, 'b') + "." + std::string(third, 'c') + ".com";
}

TEST(EmailValidation, AcceptsOrdinaryAddresses) {
  EXPECT_TRUE(is_valid_email("a@b.co"));
  EXPECT_TRUE(is_valid_email("Adele94@gmail.com"));
  EXPECT_TRUE(is_valid_email("first.last+tag@mail.example.org"));
  EXPECT_TRUE(is_valid_email("o'brien_x-y@sub-domain.example.museum"));
  EXPECT_TRUE(is_valid_email("UPPER@EXAMPLE.COM"));
  EXPECT_TRUE(is_valid_email("user@123.example.com"));
}

TEST(EmailValidation, AllowsAtMost255Characters) {
  const auto longest = email_of_length(255);
  ASSERT_EQ(longest.size(), 255u);
  EXPECT_TRUE(is_valid_email(longest));
  const auto too_long = email_of_length(256);
  ASSERT_EQ(too_long.size(), 256u);
  EXPECT_FALSE(is_valid_email(too_long));
}

TEST(EmailValidation, RejectsNonAsciiLocalPartAndDomain) {
  EXPECT_FALSE(is_valid_email("jos\xC3\xA9@example.com"));  // josé@
  EXPECT_FALSE(
      is_valid_email("user@b\xC3\xBC"
                     "cher.de"));  // bücher.de
  EXPECT_FALSE(is_valid_email("\xD0\xBF\xD1\x80\xD0\xB8@example.com"));
  EXPECT_FALSE(is_valid_email("user@example.\xD1\x80\xD1\x84"));  // .рф
}

TEST(EmailValidation, RejectsPunycodeLabels) {
  EXPECT_FALSE(is_valid_email("user@xn--bcher-kva.de"));
  EXPECT_FALSE(is_valid_email("user@mail.XN--bcher-kva.de"));
  EXPECT_FALSE(is_valid_email("user@example.xn--p1ai"));
}

TEST(EmailValidation, RequiresATopLevelDomainOfTwoOrMoreLetters) {
  EXPECT_FALSE(is_valid_email("user@localhost"));
  EXPECT_FALSE(is_valid_email("user@example.c"));
  EXPECT_FALSE(is_valid_email("user@example.123"));
  EXPECT_FALSE(is_valid_email("user@192.168.0.1"));
  EXPECT_FALSE(is_valid_email("user@example.c0m"));
  EXPECT_TRUE(is_valid_email("user@example.io"));
}

TEST(EmailValidation, RejectsWhitespaceAndControlCharacters) {
  EXPECT_FALSE(is_valid_email("user@example.com\r\nBcc: victim@example.com"));
  EXPECT_FALSE(is_valid_email("user\r@example.com"));
  EXPECT_FALSE(is_valid_email("user@exa\nmple.com"));
  EXPECT_FALSE(is_valid_email("first last@example.com"));
  EXPECT_FALSE(is_valid_email(" user@example.com"));
  EXPECT_FALSE(is_valid_email("user@example.com "));
  EXPECT_FALSE(is_valid_email("user\t@example.com"));
  EXPECT_FALSE(is_valid_email(std::string("user\0x@example.com", 18)));
}

TEST(EmailValidation, RequiresExactlyOneAtAndNonEmptyParts) {
  EXPECT_FALSE(is_valid_email("a@b@example.com"));
  EXPECT_FALSE(is_valid_email("example.com"));
  EXPECT_FALSE(is_valid_email("@example.com"));
  EXPECT_FALSE(is_valid_email("user@"));
  EXPECT_FALSE(is_valid_email(""));
}

TEST(EmailValidation, RejectsMisplacedDots) {
  EXPECT_FALSE(is_valid_email(".user@example.com"));
  EXPECT_FALSE(is_valid_email("user.@example.com"));
  EXPECT_FALSE(is_valid_email("us..er@example.com"));
  EXPECT_FALSE(is_valid_email("user@.example.com"));
  EXPECT_FALSE(is_valid_email("user@example.com."));
  EXPECT_FALSE(is_valid_email("user@example..com"));
}

TEST(EmailValidation, RejectsLabelsStartingOrEndingWithHyphen) {
  EXPECT_FALSE(is_valid_email("user@-example.com"));
  EXPECT_FALSE(is_valid_email("user@example-.com"));
  EXPECT_TRUE(is_valid_email("user@ex-ample.com"));
}

TEST(EmailNormalization, LowerCasesAsciiOnly) {
  EXPECT_EQ(normalize_email("Alice.Smith@Example.COM"), "alice.smith@example.com");
  EXPECT_EQ(normalize_email("already@lower.com"), "already@lower.com");
}

TEST(EmailLocalPart, IsTheTextBeforeTheAt) {
  EXPECT_EQ(email_local_part("Adele94@gmail.com"), "Adele94");
  EXPECT_EQ(email_local_part("first.last+tag@example.org"), "first.last+tag");
}

TEST(CultureValidation, AcceptsLanguageAndLanguageRegion) {
  EXPECT_TRUE(is_valid_culture("en"));
  EXPECT_TRUE(is_valid_culture("en-US"));
  EXPECT_TRUE(is_valid_culture("de-DE"));
  EXPECT_TRUE(is_valid_culture("ru"));
}

TEST(CultureValidation, RejectsOtherShapes) {
  EXPECT_FALSE(is_valid_culture("EN"));
  EXPECT_FALSE(is_valid_culture("en_US"));
  EXPECT_FALSE(is_valid_culture("eng"));
  EXPECT_FALSE(is_valid_culture("en-us"));
  EXPECT_FALSE(is_valid_culture(""));
  EXPECT_FALSE(is_valid_culture("En-US"));
  EXPECT_FALSE(is_valid_culture("en-USA"));
  EXPECT_FALSE(is_valid_culture("some text"));
  EXPECT_FALSE(is_valid_culture("en-U1"));
}

}  // namespace
}  // namespace invite::domain
