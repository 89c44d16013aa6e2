#pragma once
// invite.requested.v1's decoder without a tree: the worker decodes every record of that topic, and building an
// nlohmann tree for each (parse plus its map nodes and strings) was about 6% of the worker's thread. Internal to
// the library (src/).
#include <optional>
#include <string_view>

#include "invite/common/result.hpp"
#include "invite/events/events.hpp"

namespace invite::events::detail {

// What a top-level "command" member means to decode_requested_value.
enum class CommandMember {
  Ignore,  // an unknown member like any other (decode_requested)
  Stop,    // the record is a command: stop and let the caller decode it with decode_command
};

// Decodes an invite.requested.v1 value with the checks, order and error messages of the tree-based decoders
// (codec.hpp's parse_document and Reader): the first defect in the order the fields are listed in the schema
// wins, whatever the order of the members in the text. nullopt only with CommandMember::Stop, for a text that has
// a top-level "command" member.
std::optional<common::Result<RequestedInvitation>> decode_requested_value(std::string_view text, CommandMember command);

}  // namespace invite::events::detail
