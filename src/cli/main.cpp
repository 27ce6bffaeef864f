// memfit's command line: registers the subcommands (one file each), parses, maps errors to exit codes. A run names
// its command first, so only that command's flags are registered (setting up all of them was a fifth of a catalog
// estimate's start-up); without a known command first, all are, for the help and the error.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"

namespace {

// Every command, in the order `memfit --help` lists them; each adder registers the subcommand of this name.
struct CommandEntry {
  const char* name;
  memfit::cli::Command (*add)(CLI::App&);
};
constexpr CommandEntry kCommands[] = {
    {"estimate-memory", memfit::cli::add_estimate_memory}, {"list", memfit::cli::add_list},
    {"inspect", memfit::cli::add_inspect},                 {"gpus", memfit::cli::add_gpus},
    {"fit", memfit::cli::add_fit},                         {"search", memfit::cli::add_search},
    {"serve", memfit::cli::add_serve},                     {"publish", memfit::cli::add_publish},
};

}  // namespace

int run_main(int argc, char** argv) {
  using namespace memfit::cli;
  // Never destroyed: the process ends with _Exit below, so tearing down the parser and the registries (a sixth of a
  // catalog estimate's instructions) is skipped.
  constexpr const char* kVersion = "memfit 0.1.0";
  std::string first = argc > 1 ? argv[1] : "";
  if (argc == 2 && first == "--version") {  // without setting up the commands' flags (two thirds of its cost)
    std::printf("%s\n", kVersion);
    return 0;
  }
  CLI::App& app = *new CLI::App{"memfit: how much memory a model needs, and whether it fits", "memfit"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string(kVersion));
  std::vector<Command>& commands = *new std::vector<Command>;
  for (const auto& c : kCommands)
    if (first == c.name) commands.push_back(c.add(app));
  if (commands.empty())
    for (const auto& c : kCommands) commands.push_back(c.add(app));
  if (argc > 1 && argv[1][0] != '-') {
    std::string names;
    bool known = false;
    for (const auto& c : commands) {
      known = known || c.sub->get_name() == first;
      names += (names.empty() ? "" : ", ") + c.sub->get_name();
    }
    if (!known) {
      say("memfit: error: ", "unknown command `" + first + "` (commands: " + names + ")");
      return 2;
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    std::replace(msg.begin(), msg.end(), '\n', ' ');
    say("memfit: error: ", msg + " (see memfit --help)");
    return 2;
  }
  try {
    for (const auto& c : commands)
      if (c.sub->parsed()) return c.run();
  } catch (const std::exception& e) {
    say("memfit: error: internal: ", e.what());
    return 1;
  }
  return 2;
}

int main(int argc, char** argv) {
  int code = run_main(argc, argv);
  std::cout.flush();     // CLI11's help and version text
  std::fflush(nullptr);  // everything else memfit prints goes through C stdio
  std::_Exit(code);
}
