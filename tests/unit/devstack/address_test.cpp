#include "address.hpp"

#include <gtest/gtest.h>

namespace invite::devstack {
namespace {

TEST(ReachableAddress, WildcardsMeanLoopback) {
  EXPECT_EQ(reachable_address("0.0.0.0"), "127.0.0.1");
  EXPECT_EQ(reachable_address("::"), "::1");
  EXPECT_EQ(reachable_address("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(reachable_address("127.0.0.1"), "127.0.0.1");
}

TEST(CurlResolve, NoneWhenThePortalNameAlreadyLeadsToTheGateway) {
  EXPECT_EQ(curl_resolve_option("localhost", 8080, "127.0.0.1"), "");
  EXPECT_EQ(curl_resolve_option("localhost", 8080, "0.0.0.0"), "");
  EXPECT_EQ(curl_resolve_option("localhost", 8080, "::"), "");
  EXPECT_EQ(curl_resolve_option("192.0.2.7", 8080, "192.0.2.7"), "");
}

TEST(CurlResolve, PortalNamesAreSentToTheReachableAddress) {
  EXPECT_EQ(curl_resolve_option("docs.test", 8080, "0.0.0.0"), " --resolve 'docs.test:8080:127.0.0.1'");
  EXPECT_EQ(curl_resolve_option("docs.test", 9000, "192.0.2.7"), " --resolve 'docs.test:9000:192.0.2.7'");
  // localhost would resolve to loopback, where nothing listens.
  EXPECT_EQ(curl_resolve_option("localhost", 8080, "192.0.2.7"), " --resolve 'localhost:8080:192.0.2.7'");
}

TEST(CurlResolve, Ipv6AddressesAreBracketed) {
  EXPECT_EQ(curl_resolve_option("docs.test", 8080, "::"), " --resolve 'docs.test:8080:[::1]'");
  EXPECT_EQ(curl_resolve_option("docs.test", 8080, "2001:db8::5"), " --resolve 'docs.test:8080:[2001:db8::5]'");
}

}  // namespace
}  // namespace invite::devstack
