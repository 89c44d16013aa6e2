// The decoders of every topic's values on arbitrary bytes (the worker reads invite.requested.v1 from any
// producer; the gateway and the mailer read what the worker wrote). Besides not crashing (ASan, UBSan), a value
// one of them accepts must encode to a value that decodes to the same event: nothing is lost or invented between
// what a consumer read and what it would write again.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "invite/events/events.hpp"

namespace {

template <typename Event, typename Decode, typename Encode>
void round_trip(std::string_view value, Decode decode, Encode encode) {
  const auto first = decode(value);
  if (!first) {
    if (first.error().message.empty()) std::abort();  // a refusal always says why
    return;
  }
  const Event& event = *first;
  const auto again = decode(encode(event));
  if (!again || *again != event) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace invite::events;
  const std::string_view value(reinterpret_cast<const char*>(data), size);
  round_trip<RequestedInvitation>(value, decode_requested, encode_requested);
  round_trip<InviteReply>(value, decode_reply, encode_reply);
  round_trip<EmailJob>(value, decode_email_job, encode_email_job);
  round_trip<UserInvited>(value, decode_user_invited, encode_user_invited);
  round_trip<EmailStatus>(value, decode_email_status, encode_email_status);
  return 0;
}
