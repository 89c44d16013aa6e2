#pragma once
// The worker's hot path over one partition file: what deciding a request reads, the atomic write of its outcome,
// the consumed offset, and group commit. Nothing of the outbox's relay, maintenance or operator tooling.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "invite/common/message.hpp"
#include "invite/domain/invitation_state.hpp"
#include "invite/domain/rate_limit.hpp"
#include "invite/domain/types.hpp"

namespace invite::store {

// The changes of the invitation's life (issue 13). Each names its user by id and is scoped by the commit's portal:
// a user of another portal is never touched. Activations, re-issued links, disables and deletions are decided on
// what the worker read inside the same transaction, so an id that names no user of the portal is a bug: apply()
// throws and nothing of the commit is stored. Delivery outcomes of unknown users (deleted since) are dropped.

// An accept: status Active, activation Activated, and the values domain::activate gave the user.
struct UserActivation {
  std::string user_id;
  std::string first_name;
  std::string last_name;
  std::string culture;
  std::string password_hash;  // Argon2id, encoded by the gateway; never read back
  bool spam = false;
  std::int64_t activated_at_ms = 0;

  bool operator==(const UserActivation&) const = default;
};

// A resend: the user's newest link is now this one (older links check Invalid), times_resent goes up by one and
// the last delivery outcome is cleared (it concerned an older link's e-mail).
struct ReissuedLink {
  std::string user_id;
  std::int64_t link_ms = 0;
  std::string inviter_id;    // the resend's caller, signed into the link as uid
  std::string job_event_id;  // the new e-mail job's eventId: only its outcomes are kept from now on

  bool operator==(const ReissuedLink&) const = default;
};

// The mailer's report on one e-mail job (invite.email-status.v1). It is stored only when it concerns the user's
// newest link and is not older than the stored one:
//   - after a resend (which names its job), outcomes of other jobs are dropped; before any resend a user has had
//     exactly one job, so every outcome is its;
//   - a later at_ms replaces the stored outcome, an earlier one is dropped; at the same at_ms a final outcome
//     (sent, failed) replaces anything and retrying replaces only retrying.
// So a redelivered or reordered status never rolls back a newer one, and applying one twice changes nothing.
struct DeliveryOutcome {
  std::string user_id;
  domain::DeliveryStatus status = domain::DeliveryStatus::Sent;
  std::string reason;  // empty when sent
  std::int64_t at_ms = 0;
  std::string job_event_id;

  bool operator==(const DeliveryOutcome&) const = default;
};

// A caller's resend window after a resend request (domain::take's next state), stored as given.
struct RateWindowUpdate {
  std::string caller_id;
  domain::RateWindow window;

  bool operator==(const RateWindowUpdate&) const = default;
};

// Where to resume a followed topic's partition (invite.email-status.v1), stored with what its records changed.
struct FollowedOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t next_offset = 0;

  bool operator==(const FollowedOffset&) const = default;
};

// Everything one request changes, applied atomically with the new consumed offset. A commit concerns one portal;
// the worker gives records of several portals (statuses, say) a commit each, which a group then joins.
struct RequestCommit {
  std::string request_id;  // recorded as applied (empty: nothing recorded, e.g. a DLQ record)
  std::string portal;
  std::vector<domain::User> create;  // inserted; the newest link is the first (created_at_ms, created_by)
  std::vector<domain::User> raise;   // type updated (matched by id)
  // The invitation's life, applied in this order after create and raise. Empty: nothing of it changes.
  std::vector<UserActivation> activate;
  std::vector<ReissuedLink> reissue;
  std::vector<std::string> disable;  // user ids: status Terminated
  std::vector<std::string> remove;   // user ids: the rows are deleted, so every link of them checks Invalid
  std::vector<DeliveryOutcome> deliveries;
  std::optional<RateWindowUpdate> rate_window;
  std::vector<FollowedOffset> followed;
  std::string day;                      // "YYYY-MM-DD" (UTC) of the invitations counter
  std::int64_t invited = 0;             // added to the portal's counter for `day`
  std::vector<common::Message> outbox;  // messages to relay, in this order
  std::int64_t next_offset = 0;         // the partition's offset to resume from (written by every commit)
};

class RequestStore {
 public:
  virtual ~RequestStore() = default;

  virtual std::optional<std::int64_t> stored_offset() = 0;  // next offset to consume; nullopt for a new file
  virtual bool request_applied(std::string_view request_id) = 0;
  // Users of the portal whose lower-cased e-mail is among lower_emails, keyed by lower-cased e-mail.
  virtual std::unordered_map<std::string, domain::User> find_users(std::string_view portal,
                                                                   const std::vector<std::string>& lower_emails) = 0;
  virtual std::int64_t paid_seats_in_use(std::string_view portal) = 0;  // non-terminated RoomAdmin + DocSpaceAdmin
  virtual std::int64_t invited_on(std::string_view portal, std::string_view day) = 0;

  // One transaction; throws std::runtime_error on failure (then nothing of it is stored). Returns the ids the
  // outbox rows got, in the commit's order, so that the relay can publish them without reading them back.
  virtual std::vector<std::int64_t> apply(const RequestCommit& commit) = 0;
  virtual void store_offset(std::int64_t next_offset) = 0;

  // Group commit. Between begin_group() and commit_group(), apply() and store_offset() join one transaction that
  // commit_group() makes durable with a single sync: the cost of durability is paid per group, not per request.
  // Reads in between see the group's own writes. When anything inside the group throws, the whole group is rolled
  // back (none of its requests is stored) and the group is closed. Of the other writes, only the outbox's
  // mark_sent() may run while a group is open (it joins it).
  virtual void begin_group() = 0;
  virtual void commit_group() = 0;
  virtual bool in_group() const = 0;
};

}  // namespace invite::store
