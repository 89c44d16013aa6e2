#include "invite/mail/sender.hpp"

namespace invite::mail {

SendOutcome classify_smtp_code(int code) {
  if (code >= 200 && code < 300) return SendOutcome::Delivered;
  if (code >= 500 && code < 600) return SendOutcome::Permanent;
  return SendOutcome::Transient;
}

}  // namespace invite::mail
