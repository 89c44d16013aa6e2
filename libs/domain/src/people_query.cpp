#include "invite/domain/people_query.hpp"

#include "invite/common/text.hpp"

namespace invite::domain {
namespace {

using common::ascii_lower;

bool contains(std::string_view haystack, std::string_view lower_needle) {
  return ascii_lower(haystack).find(lower_needle) != std::string::npos;
}

// <0, 0, >0 like strcmp, on the query's sort key.
int compare_key(SortBy sort_by, const User& a, const User& b) {
  switch (sort_by) {
    case SortBy::Email:
      return ascii_lower(a.email).compare(ascii_lower(b.email));
    case SortBy::DisplayName:
      return ascii_lower(display_name(a)).compare(ascii_lower(display_name(b)));
    case SortBy::Created:
      if (a.created_at_ms == b.created_at_ms) return 0;
      return a.created_at_ms < b.created_at_ms ? -1 : 1;
  }
  return 0;
}

}  // namespace

std::string display_name(const User& user) {
  std::string name = user.first_name;
  if (!user.first_name.empty() && !user.last_name.empty()) name += ' ';
  name += user.last_name;
  const auto first = name.find_first_not_of(' ');
  if (first == std::string::npos) return user.email;
  const auto last = name.find_last_not_of(' ');
  return name.substr(first, last - first + 1);
}

bool matches(const PeopleFilter& filter, const User& user, std::string_view caller_id) {
  if (filter.status && user.status != *filter.status) return false;
  if (filter.activation && user.activation_status != *filter.activation) return false;
  if (filter.type && user.type != *filter.type) return false;
  if (filter.inviter_id && !common::iequals(user.created_by, *filter.inviter_id)) return false;
  if (filter.invited_by_me && !common::iequals(user.created_by, caller_id)) return false;
  if (filter.text && !filter.text->empty()) {
    const auto needle = ascii_lower(*filter.text);
    if (!contains(user.email, needle) && !contains(user.first_name, needle) && !contains(user.last_name, needle) &&
        !contains(display_name(user), needle)) {
      return false;
    }
  }
  return true;
}

bool comes_before(const PeopleQuery& query, const User& a, const User& b) {
  const int key = compare_key(query.sort_by, a, b);
  if (key != 0) return query.sort_order == SortOrder::Ascending ? key < 0 : key > 0;
  return a.id < b.id;
}

}  // namespace invite::domain
