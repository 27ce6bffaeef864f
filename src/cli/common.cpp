#include <fmt/format.h>
#include <fmt/ranges.h>

#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "format/escape.h"

namespace memfit::cli {

void add_hub_options(CLI::App* sub, ResolveOptions& opts) {
  opts.use_hub = true;
  opts.progress = ::isatty(2) != 0;
  opts.note = [](const std::string& line) { say("", line); };
  sub->add_option("--revision", opts.revision, "Branch, tag, commit sha or refs/pr/N (default: main)");
  sub->add_option("--token", opts.token, "Hub access token (default: $HF_TOKEN, then the huggingface token file)");
  sub->add_flag("--offline", opts.offline,
                "No network: the HF cache, then the bundled catalog (also HF_HUB_OFFLINE=1)");
  sub->add_option("--timeout", opts.timeout_s, "Seconds a Hub request may take (default: $MEMFIT_TIMEOUT or 10)")
      ->check(CLI::PositiveNumber);
  sub->add_option("--connect-timeout", opts.connect_timeout_s,
                  "Seconds to connect to the Hub (default: $MEMFIT_CONNECT_TIMEOUT or 5)")
      ->check(CLI::PositiveNumber);
}

int report_error(const Error& e) {
  say("memfit: error: ", e.message);
  return exit_code(e.kind);
}

void say(std::string_view prefix, std::string_view text) {
  std::string line = std::string(prefix) + terminal_safe(text, 2000) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

std::optional<Error> check_choice(const std::string& flag, const std::string& value,
                                  const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (a == value) return std::nullopt;
  return Error{ErrorKind::Usage, fmt::format("{}: `{}` is not one of {}", flag, value, fmt::join(allowed, ", "))};
}

}  // namespace memfit::cli
