// The CLI's subcommands, one file each. A command registers its flags on the app and returns how to run it.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/error.h"
#include "source/resolve.h"

namespace memfit::cli {

struct Command {
  CLI::App* sub = nullptr;
  std::function<int()> run;  // called after parsing when `sub` was given; returns the exit code
};

Command add_estimate_memory(CLI::App& app);
Command add_list(CLI::App& app);
Command add_inspect(CLI::App& app);
Command add_gpus(CLI::App& app);
Command add_fit(CLI::App& app);     // fit_cmd.cpp
Command add_search(CLI::App& app);  // fit_cmd.cpp
Command add_serve(CLI::App& app);
Command add_publish(CLI::App& app);

// Adds the Hub flags (--offline, --revision, --token, --timeout, --connect-timeout) to a command taking a MODEL and
// turns Hub resolution on for it: `opts` must outlive parsing (keep it in the command's shared Args).
void add_hub_options(CLI::App* sub, ResolveOptions& opts);

// Prints "memfit: error: <message>" on stderr and returns the exit code for its kind.
int report_error(const Error& e);
// Prints `prefix` + `text` as one line on stderr, with `text` made terminal-safe (escaped, length-capped): every
// line that may hold something from a file, the network or the command line goes through here.
void say(std::string_view prefix, std::string_view text);
// Checks that `value` is one of `allowed`; the error names the flag and the allowed values.
std::optional<Error> check_choice(const std::string& flag, const std::string& value,
                                  const std::vector<std::string>& allowed);

}  // namespace memfit::cli
