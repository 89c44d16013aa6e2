#pragma once
// The worker's consume-apply-relay loop over the partitions it owns. One thread drives everything that touches
// the SQLite files; Kafka delivery reports only hand results back to it.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "invite/common/metrics.hpp"
#include "invite/domain/portal.hpp"
#include "invite/events/commands.hpp"
#include "invite/kafka/client.hpp"
#include "invite/outbox/relay.hpp"
#include "invite/store/partition_store.hpp"
#include "reply_partitions.hpp"
#include "request_assembler.hpp"
#include "worker_metrics.hpp"

namespace invite::worker {

struct WorkerEnvironment {
  kafka::Consumer* consumer = nullptr;
  kafka::Producer* producer = nullptr;
  const domain::PortalDirectory* portals = nullptr;
  std::string link_secret;
  common::Registry* metrics = nullptr;
  // Partitions of invite.email-status.v1, all of which the worker follows (main waits for the topic). 0: none.
  std::int32_t status_partitions = 0;
  // Sent outbox rows, applied request ids and day counters older than this are pruned (hourly).
  std::chrono::milliseconds retention{std::chrono::hours(24 * 7)};
};

class Worker {
 public:
  Worker(WorkerEnvironment env, std::map<std::int32_t, std::unique_ptr<store::PartitionStore>> stores);

  // Resumes every owned partition from the offset stored in its file and assigns them. Also publishes rows a
  // previous run left unsent.
  common::Result<> start();
  // Runs until stop is set; returns an error when the loop cannot go on (SQLite failure, fatal Kafka error).
  common::Result<> run(const std::atomic<bool>& stop);
  // Partitions assigned and the loop running without a fatal error (for /readyz).
  bool ready() const { return ready_.load(); }

 private:
  struct PartitionState {
    // The file's parts, each for the one use named.
    store::RequestStore* store = nullptr;       // the loop and the apply step
    store::PeopleStore* people = nullptr;       // the commands' and the follower's reads
    store::Maintenance* maintenance = nullptr;  // pruning
    std::unique_ptr<outbox::Relay> relay;       // publishes the file's outbox
    std::int64_t consumed_next = 0;             // offset after the last record taken from Kafka
    std::int64_t stored_next = 0;               // offset last written to the file
    bool at_end = false;                        // caught up with the partition's end (no record since the last EOF)
    bool dirty = false;                         // outbox rows committed and not yet handed to the relay
    std::size_t grouped = 0;                    // requests and DLQ records in the open group (0: no group open)
    std::vector<outbox::Row> written;           // the open group's outbox rows, published once it commits
    // Per partition of invite.email-status.v1, the position last written to this file (absent: never).
    std::map<std::int32_t, std::int64_t> followed_written;
  };

  void on_record(const kafka::InRecord& record);
  void apply(PartitionState& state, std::int32_t partition, CompleteRequest request);
  void apply_command(PartitionState& state, std::int32_t partition, const events::PeopleCommand& command,
                     const std::string& traceparent);
  // invite.email-status.v1: a status for a user of one of the files becomes a delivery outcome in that file.
  void on_status(const kafka::InRecord& record);
  // The followed positions this file has not stored yet (and marks them stored: the caller writes them).
  std::vector<store::FollowedOffset> unwritten_followed(PartitionState& state);
  // Stores the followed positions in every file that lags behind them, joining (or opening) its group.
  void record_followed();
  common::Result<std::vector<kafka::Assignment>> follow_assignments();
  void join_group(PartitionState& state);
  void write(PartitionState& state, store::RequestCommit commit);
  void commit_groups();
  void publish_committed();
  void send_to_dlq(PartitionState& state, const kafka::InRecord& record, const std::string& error);
  std::int64_t resume_offset(std::int32_t partition, const PartitionState& state) const;
  void drop_expired(std::int64_t now_ms);
  void commit_group_offsets();
  void prune();

  WorkerEnvironment env_;
  WorkerMetrics metrics_;
  std::map<std::int32_t, std::unique_ptr<store::PartitionStore>> stores_;
  std::map<std::int32_t, PartitionState> partitions_;
  std::atomic<bool> ready_{false};
  ReplyPartitions reply_partitions_;
  RequestAssembler assembler_;
  std::map<std::int32_t, std::int64_t> status_next_;  // invite.email-status.v1: next offset to read, by partition
};

}  // namespace invite::worker
