#pragma once
// What the invitation's life (issue 13) reads from a partition file: a user with its invitation (the newest link,
// resends, the mailer's last report), looked up by e-mail or ids, a portal's pending users, the listing of
// GET /api/2.0/people/filter, a caller's resend window and the offsets the worker follows on other topics. The
// writes travel in RequestCommit (request_store.hpp), in the same transaction as the outbox and the offset.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "invite/domain/invitation_state.hpp"
#include "invite/domain/lifecycle.hpp"
#include "invite/domain/people_query.hpp"
#include "invite/domain/rate_limit.hpp"
#include "invite/domain/types.hpp"

namespace invite::store {

// A stored user and what the store keeps beside it. The password hash itself is never read back: nothing but the
// accept needs it, and the accept only writes it.
struct StoredPerson {
  domain::User user;
  // sent_at_ms is the newest link's ms, inviter_id who issued it (the creator, then each resend's caller).
  domain::InvitationState invitation;
  bool has_password = false;  // accepted with a password (or the client's passwordHash)
  bool spam = false;          // the accept's "spam" choice
  std::optional<std::int64_t> activated_at_ms;

  std::int64_t link_ms() const { return invitation.sent_at_ms; }
  // What check_confirm needs to know of the link's user.
  domain::LinkedUser linked() const { return {user, invitation.sent_at_ms, invitation.inviter_id}; }

  bool operator==(const StoredPerson&) const = default;
};

// One page of the listing and how many users match the filter in all.
struct PeoplePage {
  std::vector<StoredPerson> people;
  std::int64_t total = 0;
};

class PeopleStore {
 public:
  virtual ~PeopleStore() = default;

  // The portal's user with that lower-cased e-mail.
  virtual std::optional<StoredPerson> find_person(std::string_view portal, std::string_view lower_email) = 0;
  // The portal's users among ids (as stored: lower-case uuids, as the gateway passes them), in the order of ids;
  // unknown ids and users of other portals are absent, an id given twice appears once.
  virtual std::vector<StoredPerson> find_people(std::string_view portal, const std::vector<std::string>& ids) = 0;
  // Every pending user of the portal (domain::is_pending), oldest invitation first (created, then id).
  virtual std::vector<StoredPerson> pending_people(std::string_view portal) = 0;
  // The page query asks for, in its order, and the number of all matches: the same users and order as
  // domain::matches and domain::comes_before give (caller_id is invitedByMe's caller), computed in SQL.
  virtual PeoplePage list_people(std::string_view portal, const domain::PeopleQuery& query,
                                 std::string_view caller_id) = 0;
  // The caller's resend window on the portal; the zero window (a fresh one) when none is stored.
  virtual domain::RateWindow rate_window(std::string_view portal, std::string_view caller_id) = 0;
  // Where the worker resumes reading a partition of a followed topic (invite.email-status.v1); nullopt when never.
  virtual std::optional<std::int64_t> followed_offset(std::string_view topic, std::int32_t partition) = 0;
};

}  // namespace invite::store
