#pragma once
// The listing of GET /api/2.0/people/filter as a value: which users, which page, in which order. The gateway parses
// the query string into it; the store answers it. matches() and comes_before() state the meaning in memory.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "invite/domain/types.hpp"

namespace invite::domain {

inline constexpr std::size_t kMaxPageSize = 100;

enum class SortBy { Email, DisplayName, Created };
enum class SortOrder { Ascending, Descending };

struct PeopleFilter {
  std::optional<EmployeeStatus> status;        // employeeStatus
  std::optional<ActivationStatus> activation;  // activationStatus
  std::optional<EmployeeType> type;            // employeeType
  std::optional<std::string> text;             // filterValue: part of the e-mail or the names, any case
  std::optional<std::string> inviter_id;       // inviterId: created_by
  bool invited_by_me = false;                  // invitedByMe: created_by is the caller

  bool operator==(const PeopleFilter&) const = default;
};

struct PeopleQuery {
  PeopleFilter filter;
  std::size_t start_index = 0;
  std::size_t count = kMaxPageSize;  // 1..kMaxPageSize
  SortBy sort_by = SortBy::DisplayName;
  SortOrder sort_order = SortOrder::Ascending;

  bool operator==(const PeopleQuery&) const = default;
};

// "First Last" (one space between, outer spaces trimmed), or the e-mail when both are empty; EmployeeDto shows it.
std::string display_name(const User& user);

// Every condition present holds; the text is an ASCII case-insensitive substring of the e-mail, first name, last
// name or display name; ids compare case-insensitively (uuids).
bool matches(const PeopleFilter& filter, const User& user, std::string_view caller_id);

// The listing's order: by the sort key (e-mail and display name ASCII case-insensitively, created by time), ties
// broken by id ascending so that pages never overlap; descending reverses the key only.
bool comes_before(const PeopleQuery& query, const User& a, const User& b);

}  // namespace invite::domain
