#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>

#include "cli/commands.h"

namespace memfit::cli {

int report_error(const Error& e) {
  std::fprintf(stderr, "memfit: error: %s\n", e.message.c_str());
  return exit_code(e.kind);
}

std::optional<Error> check_choice(const std::string& flag, const std::string& value,
                                  const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (a == value) return std::nullopt;
  return Error{ErrorKind::Usage, fmt::format("{}: `{}` is not one of {}", flag, value, fmt::join(allowed, ", "))};
}

}  // namespace memfit::cli
