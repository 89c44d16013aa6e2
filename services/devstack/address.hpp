#pragma once
// How a client on this machine reaches the gateway, for the readiness probe and the printed curl command.
#include <string>
#include <string_view>

namespace invite::devstack {

// The wildcard addresses mean "every address": loopback reaches them. 0.0.0.0 -> 127.0.0.1, :: -> ::1.
std::string reachable_address(std::string_view listen_address);

// curl's option that sends requests for `portal` to the gateway (" --resolve 'portal:port:address'"), or "" when
// the portal's name already leads there (it is the address, or localhost on a loopback address).
std::string curl_resolve_option(std::string_view portal, unsigned short port, std::string_view listen_address);

}  // namespace invite::devstack
