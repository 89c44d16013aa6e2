#pragma once
// Operator tooling (invitectl) over a partition file, opened beside a running worker: SQLite's locking (busy
// timeout) keeps the two apart.
#include <optional>
#include <string_view>
#include <vector>

#include "invite/domain/types.hpp"
#include "invite/store/people_store.hpp"

namespace invite::store {

class UserAdmin {
 public:
  virtual ~UserAdmin() = default;

  // By portal, then e-mail; with each user's invitation (invitectl shows its expiry, resends and delivery).
  virtual std::vector<StoredPerson> users(std::optional<std::string_view> portal) = 0;
  // Marks a user Terminated; false when no such user.
  virtual bool disable_user(std::string_view portal, std::string_view email) = 0;
};

}  // namespace invite::store
