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
#include "invite/domain/types.hpp"

namespace invite::store {

// Everything one request changes, applied atomically with the new consumed offset.
struct RequestCommit {
  std::string request_id;  // recorded as applied (empty: nothing recorded, e.g. a DLQ record)
  std::string portal;
  std::vector<domain::User> create;     // inserted
  std::vector<domain::User> raise;      // type updated (matched by id)
  std::string day;                      // "YYYY-MM-DD" (UTC) of the invitations counter
  std::int64_t invited = 0;             // added to the portal's counter for `day`
  std::vector<common::Message> outbox;  // messages to relay, in this order
  std::int64_t next_offset = 0;         // the partition's offset to resume from
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
