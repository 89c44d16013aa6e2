#include "query_string.hpp"

#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/parse_query.hpp>

#include "invite/common/text.hpp"

namespace invite::gateway {

common::Result<std::vector<QueryParameter>> parse_query_string(std::string_view query, std::size_t max_parameters) {
  if (!query.empty() && query.front() == '?') query.remove_prefix(1);
  // Boost.URL 1.81's parse_query calls strlen on an empty view's data, which is null for a default std::string_view.
  if (query.empty()) return std::vector<QueryParameter>{};
  const auto parsed = boost::urls::parse_query(query);
  if (!parsed) return common::fail("the query string is malformed: " + parsed.error().message());
  boost::urls::encoding_opts options;
  options.space_as_plus = true;
  std::vector<QueryParameter> result;
  for (const auto& encoded : *parsed) {
    if (encoded.key.empty() && !encoded.has_value) continue;
    const QueryParameter param{encoded.key.decode(options), encoded.value.decode(options)};
    if (result.size() == max_parameters) {
      return common::fail("the query string has more than " + std::to_string(max_parameters) + " parameters");
    }
    if (common::has_control_character(param.name) || common::has_control_character(param.value)) {
      return common::fail("the query string holds a control character");
    }
    result.push_back(param);
  }
  return result;
}

}  // namespace invite::gateway
