#include "settings.hpp"

#include <limits>

#include "http_replies.hpp"
#include "invite/runtime/pod_ordinal.hpp"

namespace invite::gateway {

runtime::SettingsOrExit<Settings> read_settings(int argc, char** argv) {
  Settings s;
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  runtime::Cli cli("invite-gateway", "HTTP gateway of the invite service: POST /api/2.0/people/invite over Kafka.");
  runtime::add_listener_flags(cli, s.listener, "0.0.0.0", "8080", "address to listen on",
                              "HTTP port (0: any free port, see --port-file)");
  std::int64_t threads = 0, in_flight = 0, invitations = 0, body = 0, header = 0, queued = 0, hash_threads = 0,
               hashes = 0;
  cli.integer("threads", threads, "2", 1, std::numeric_limits<int>::max(), "HTTP worker threads");
  runtime::add_kafka_flags(cli, s.kafka, "localhost:9092", "Kafka bootstrap servers",
                           "librdkafka property key=value, e.g. security.protocol=SSL");
  cli.text("portals-file", s.portals_file, "", "portals JSON file (required)", true);
  cli.text("token-secret-file", s.token_secret_file, "", "file holding the HS256 token secret (required)", true);
  runtime::PodIndex reply;
  runtime::add_pod_index_flags(cli, reply, "reply-partition", "0", "this gateway's partition of invite.replies.v1",
                               "StatefulSet pod name (e.g. invite-gateway-2); its ordinal becomes --reply-partition");
  cli.duration("request-timeout", s.request_timeout, "10s", "deadline for the workers' reply (then 504)");
  cli.duration("delivery-timeout", s.delivery_timeout, "5s", "how long publishing may take before 503");
  cli.integer("max-in-flight", in_flight, "10000", 1, kMax, "requests waiting for replies before new ones get 503");
  cli.integer("max-invitations-per-request", invitations, "1000", 0, kMax, "invitations allowed in one request");
  cli.integer("max-body-bytes", body, "1048576", 1, kMax, "largest request body (then 413)");
  cli.integer("max-header-bytes", header, "32768", 1, kMax,
              "largest request line and header fields together (then 431)");
  cli.integer("max-queued-records", queued, "100000", 1, kMax,
              "records waiting to be sent to Kafka before new requests get 503");
  cli.integer("hash-threads", hash_threads, "1", 1, 16,
              "threads hashing accepted passwords (Argon2id, 64 MiB and about 60 ms each)");
  cli.integer("max-queued-hashes", hashes, "16", 1, 100000,
              "password hashes waiting or running before accepts get 503");
  cli.duration("read-timeout", s.read_timeout, "30s",
               "a request's header and body must arrive within this, else the connection closes",
               std::chrono::milliseconds(1));
  cli.duration("idle-timeout", s.idle_timeout, "60s", "keep-alive connections without a request are closed after this",
               std::chrono::milliseconds(1));
  runtime::add_log_level_flag(cli, s.log_level);
  if (auto exit_code = cli.parse(argc, argv)) return runtime::ExitCode(*exit_code);

  const auto index = runtime::index_from_pod_name(cli, reply);
  if (!index) return runtime::ExitCode(cli.usage_error(index.error().message));
  if (s.delivery_timeout >= s.request_timeout) {
    // Otherwise a broker outage would surface as 504 "workers too slow" instead of 503 "broker unavailable".
    return runtime::ExitCode(cli.usage_error("--delivery-timeout must be shorter than --request-timeout"));
  }
  if (auto exit_code = cli.check_required()) return runtime::ExitCode(*exit_code);
  s.reply_partition = *index;
  s.threads = static_cast<int>(threads);
  s.max_in_flight = static_cast<std::size_t>(in_flight);
  s.max_invitations = static_cast<std::size_t>(invitations);
  s.max_body_bytes = static_cast<std::size_t>(body);
  s.max_header_bytes = static_cast<std::size_t>(header);
  s.max_queued_records = static_cast<std::size_t>(queued);
  s.hash_threads = static_cast<std::size_t>(hash_threads);
  s.max_queued_hashes = static_cast<std::size_t>(hashes);
  return s;
}

http::ServerOptions server_options(const Settings& settings) {
  http::ServerOptions options;
  options.address = settings.listener.address;
  options.port = settings.listener.port;
  options.threads = settings.threads;
  options.body_limit = settings.max_body_bytes;
  options.header_limit = settings.max_header_bytes;
  options.read_timeout = settings.read_timeout;
  options.idle_timeout = settings.idle_timeout;
  options.transport_error = [limit = settings.max_body_bytes, header_limit = settings.max_header_bytes,
                             fields = options.max_header_fields](int status) {
    if (status == 413) {
      return error_response(413, "The request body is larger than " + std::to_string(limit) + " bytes",
                            error_type::kPayloadTooLarge, "application/json");
    }
    if (status == 431) {
      return error_response(431,
                            "The request's header fields are larger than " + std::to_string(header_limit) +
                                " bytes or more than " + std::to_string(fields) + " fields",
                            error_type::kRequestHeaderFieldsTooLarge, "application/json");
    }
    if (status == 501) {
      return error_response(501, "Only the chunked Transfer-Encoding is implemented", error_type::kNotImplemented,
                            "application/json");
    }
    if (status == 500) {
      return error_response(500, "Internal server error", error_type::kInternal, "application/json");
    }
    return error_response(status, "Malformed HTTP request", error_type::kBadRequest, "application/json");
  };
  return options;
}

}  // namespace invite::gateway
