#include "address.hpp"

namespace invite::devstack {
namespace {

bool is_loopback(std::string_view address) { return address.starts_with("127.") || address == "::1"; }

}  // namespace

std::string reachable_address(std::string_view listen_address) {
  if (listen_address == "0.0.0.0") return "127.0.0.1";
  if (listen_address == "::") return "::1";
  return std::string(listen_address);
}

std::string curl_resolve_option(std::string_view portal, unsigned short port, std::string_view listen_address) {
  const std::string address = reachable_address(listen_address);
  if (portal == address || (portal == "localhost" && is_loopback(address))) return "";
  // curl wants IPv6 addresses in brackets here.
  const std::string target = address.find(':') == std::string::npos ? address : "[" + address + "]";
  return " --resolve '" + std::string(portal) + ":" + std::to_string(port) + ":" + target + "'";
}

}  // namespace invite::devstack
