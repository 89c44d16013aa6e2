#pragma once
// A URL's query string as name/value pairs, decoded by Boost.URL (percent-decoding, '+' as a space as browsers'
// URLSearchParams writes it). Used for the accept's `confirm` header (the link's raw query) and for
// GET /api/2.0/people/filter.
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "invite/common/result.hpp"

namespace invite::gateway {

struct QueryParameter {
  std::string name;
  std::string value;

  bool operator==(const QueryParameter&) const = default;
};

// "a=1&b=x%20y" -> {{"a","1"},{"b","x y"}}; one leading '?' is skipped; "a" alone is {"a",""}; empty pairs ("a=1&&b")
// are skipped. Fails on a malformed escape ("%zz", "%4"), a decoded control character (NUL, CR, LF...), or more than
// max_parameters pairs.
common::Result<std::vector<QueryParameter>> parse_query_string(std::string_view query, std::size_t max_parameters);

}  // namespace invite::gateway
