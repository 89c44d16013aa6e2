#pragma once
// What the listing shows of a pending user's invitation beyond DocSpace (issue 13): when its newest link was sent,
// when that link expires, how often it was resent, and the mailer's last word on its delivery.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "invite/domain/invite_link.hpp"

namespace invite::domain {

enum class DeliveryStatus { Sent, Retrying, Failed };
std::string_view to_string(DeliveryStatus status);                               // "sent", "retrying", "failed"
std::optional<DeliveryStatus> delivery_status_from_name(std::string_view name);  // exact names only

struct Delivery {
  DeliveryStatus status = DeliveryStatus::Retrying;
  std::string reason;      // the mailer's last reason; empty when sent
  std::int64_t at_ms = 0;  // when the mailer reported it (the status event's occurredAt)

  bool operator==(const Delivery&) const = default;
};

struct InvitationState {
  std::int64_t sent_at_ms = 0;  // the newest link's ms (first send or latest resend)
  std::int64_t times_resent = 0;
  std::string inviter_id;            // who issued the newest link: the inviter, or the caller of the last resend
  std::optional<Delivery> delivery;  // nullopt: no outcome reported yet

  bool operator==(const InvitationState&) const = default;
};

inline std::int64_t expires_at_ms(const InvitationState& state,
                                  std::chrono::milliseconds link_lifetime = kInviteLinkValidity) {
  return state.sent_at_ms + link_lifetime.count();
}

}  // namespace invite::domain
