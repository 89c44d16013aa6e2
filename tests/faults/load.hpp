#pragma once
// The fault suite's load and its judge. Clients send a steady stream of invite requests (each a few fresh
// e-mails) and retry every request that did not get a 200 - same body, as a DocSpace client would - until it does.
// Afterwards the judge compares what the clients were promised with what the service stored and published.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "stack.hpp"

namespace invite::faults {

struct LoadOptions {
  int threads = 4;
  int max_invitations = 3;  // each request invites 1..max fresh e-mails
  // A client starts at most one request per `pace`: a steady stream rather than as fast as the machine allows,
  // whose volume would depend on the machine and overflow what the mock broker keeps (about 5 MB a partition).
  std::chrono::milliseconds pace{std::chrono::milliseconds(60)};
  std::vector<std::uint16_t> ports;  // gateways; a client moves to the next after a failure
  std::chrono::milliseconds exchange_timeout{std::chrono::seconds(15)};
  std::chrono::milliseconds give_up{std::chrono::seconds(120)};  // per request, counted as unconverged
  // New requests stop after this many. The embedded broker keeps only about 5 MB per partition, and all of these
  // records share one key (one portal): on a slow machine a scenario's stream could otherwise outgrow it, and the
  // judge, which reads the topics from their start, would count the deleted records as lost.
  long max_requests = 2000;
};

// What the clients saw.
struct Exchanges {
  long sent = 0;                       // HTTP attempts
  long ok = 0;                         // 200s
  std::map<std::string, long> errors;  // "503", "504", "connect" (refused: the gateway is gone), "transport"
  std::chrono::milliseconds slowest{0};
};

struct Request {
  std::vector<std::string> emails;
  bool converged = false;                 // got its 200
  std::vector<std::string> answered_ids;  // user ids of the 200, in e-mail order
};

class Load {
 public:
  Load(std::string token, LoadOptions options);
  ~Load();
  Load(const Load&) = delete;
  Load& operator=(const Load&) = delete;

  void start();
  // No new requests; the unfinished ones are retried until they converge or give up. Returns when all are done.
  void finish();
  Exchanges exchanges() const;
  std::vector<Request> requests() const;
  long requests_started() const { return started_.load(); }

 private:
  void client();
  void send_until_converged(Request& request, std::size_t& port_index);

  std::string token_;
  LoadOptions options_;
  std::atomic<bool> stop_new_{false};
  std::atomic<long> started_{0};
  std::vector<std::thread> threads_;
  mutable std::mutex mu_;
  Exchanges exchanges_;
  std::vector<Request> requests_;
};

// The service's side, judged against the clients' requests.
struct Verdict {
  long invitations = 0;       // e-mails of converged requests
  long stored = 0;            // of those, stored as users
  long email_jobs = 0;        // distinct e-mail jobs (eventIds) for them
  long events = 0;            // distinct people.user-invited.v1 events for them
  long duplicates = 0;        // a user stored twice, a second e-mail job or event (another eventId)
  long lost = 0;              // an answered invitation without user, e-mail job or event, or answered with another id
  long redelivered = 0;       // records seen again with the same eventId (allowed after a crash)
  long unconverged = 0;       // requests still without a 200 when the clients gave up
  long beyond_retention = 0;  // records the mock broker had already dropped: the rest of the verdict is incomplete
};

// Reads the users (invitectl) and the e-mail and event topics until every converged invitation is accounted for
// or `timeout` passes (the outbox relay may still be catching up).
Verdict judge(const testing::Stack& stack, const std::vector<Request>& requests, std::chrono::milliseconds timeout);

// "<scenario>: requests=... ok=... errors={...} invitations=... stored=... email_jobs=... events=... duplicates=0
// lost=0 ..." on stdout, and into <INVITE_FAULTS_SUMMARY_DIR>/<scenario>.txt (default: <build>/faults-summary).
void report(const std::string& scenario, const Exchanges& exchanges, const Verdict& verdict,
            const std::map<std::string, std::string>& extra, std::chrono::steady_clock::duration took);

// "FAULTS <scenario>: <figures> seconds=..." on stdout and into the summary directory; report() writes through it.
void write_summary(const std::string& scenario, const std::string& figures, std::chrono::steady_clock::duration took);

}  // namespace invite::faults
