#include "invite/domain/invitation_state.hpp"

namespace invite::domain {

std::string_view to_string(DeliveryStatus status) {
  switch (status) {
    case DeliveryStatus::Sent:
      return "sent";
    case DeliveryStatus::Retrying:
      return "retrying";
    case DeliveryStatus::Failed:
      return "failed";
  }
  return "failed";
}

std::optional<DeliveryStatus> delivery_status_from_name(std::string_view name) {
  for (auto status : {DeliveryStatus::Sent, DeliveryStatus::Retrying, DeliveryStatus::Failed}) {
    if (to_string(status) == name) return status;
  }
  return std::nullopt;
}

}  // namespace invite::domain
