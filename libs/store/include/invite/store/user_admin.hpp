#pragma once
// Operator tooling (invitectl) over a partition file, opened beside a running worker: SQLite's locking (busy
// timeout) keeps the two apart.
#include <optional>
#include <string_view>
#include <vector>

#include "invite/domain/types.hpp"

namespace invite::store {

class UserAdmin {
 public:
  virtual ~UserAdmin() = default;

  virtual std::vector<domain::User> users(std::optional<std::string_view> portal) = 0;  // by portal, then e-mail
  // Marks a user Terminated; false when no such user.
  virtual bool disable_user(std::string_view portal, std::string_view email) = 0;
};

}  // namespace invite::store
