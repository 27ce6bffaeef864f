// Errors as values: one human sentence plus a category that maps to an exit code (CLI) or HTTP status (server).
#pragma once
#include <expected>
#include <string>

namespace memfit {

enum class ErrorKind {
  Usage,        // bad flag or argument
  NotFound,     // model, file or key not found
  BadInput,     // malformed JSON, hostile header, missing config key
  Unsupported,  // architecture memfit does not implement
  Network,      // transport failure
  Auth,         // gated / unauthorized
  Internal,
};

struct Error {
  ErrorKind kind = ErrorKind::Internal;
  std::string message;  // one line, no trailing newline
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(ErrorKind kind, std::string message) {
  return std::unexpected<Error>(Error{kind, std::move(message)});
}

// Exit code the CLI uses for an error of this kind.
int exit_code(ErrorKind kind);

}  // namespace memfit
