#pragma once
#include <stdexcept>
#include <string>
#include <utility>

#include <boost/system/result.hpp>

namespace invite::common {

// The project's one error convention (docs/architecture.md, "Errors"): a function that can fail for reasons outside
// the program (input, files, brokers, peers) returns Result<T>; its error says what went wrong in words fit for an
// operator's log line. Where callers must branch on the kind of failure, a module returns
// boost::system::result<T, ItsOwnError> instead (auth::TokenError, the gateway's ValidationErrors). Exceptions are for
// what cannot happen in a correct program, and adapters catch third-party exceptions at their edge.
//
// Error is deliberately not constructible from a string: boost::system::result would then not know whether a
// Result<std::string> is given a value or an error. Make one with fail().
struct Error {
  Error() = default;
  std::string message;
};

template <class T = void>
using Result = boost::system::result<T, Error>;

inline Error fail(std::string message) {
  Error error;
  error.message = std::move(message);
  return error;
}

// Found by argument-dependent lookup when .value() is called on a Result holding an error: a caller that did not
// check first has a bug, so it becomes an exception rather than undefined behaviour.
[[noreturn]] inline void throw_exception_from_error(const Error& error, const boost::source_location&) {
  throw std::logic_error("unchecked error: " + error.message);
}

}  // namespace invite::common
