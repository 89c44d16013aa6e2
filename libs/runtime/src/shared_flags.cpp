#include "invite/runtime/shared_flags.hpp"

#include <charconv>

#include "invite/common/text.hpp"

namespace invite::runtime {

void add_kafka_flags(Cli& cli, KafkaSettings& kafka, std::string default_brokers, std::string brokers_help,
                     std::string config_help, bool brokers_required) {
  cli.text("kafka-brokers", kafka.brokers, std::move(default_brokers), std::move(brokers_help), brokers_required);
  cli.key_values("kafka-config", kafka.config, std::move(config_help));
}

void add_log_level_flag(Cli& cli, common::LogLevel& level, std::string help) {
  cli.value<common::LogLevel>(
      "log-level", level, "info",
      [](std::string_view text) -> common::Result<common::LogLevel> {
        if (auto parsed = common::parse_log_level(text)) return *parsed;
        return common::fail("must be debug, info, warn or error, got '" + std::string(text) + "'");
      },
      std::move(help));
}

void add_listener_flags(Cli& cli, Listener& listener, std::string default_address, std::string default_port,
                        std::string address_help, std::string port_help) {
  cli.text("listen-address", listener.address, std::move(default_address), std::move(address_help));
  cli.value<std::uint16_t>(
      "port", listener.port, std::move(default_port),
      [](std::string_view text) -> common::Result<std::uint16_t> {
        const auto v = common::trim(text);
        std::uint16_t port = 0;
        const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), port);
        if (v.empty() || ec != std::errc() || end != v.data() + v.size()) {
          return common::fail("must be a number in 0..65535, got '" + std::string(text) + "'");
        }
        return port;
      },
      std::move(port_help));
  cli.text("port-file", listener.port_file, "", "write the bound port to this file once listening");
}

}  // namespace invite::runtime
