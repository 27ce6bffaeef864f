// memfit's command line: registers the subcommands (one file each), parses, maps errors to exit codes.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdio>

#include "cli/commands.h"

int main(int argc, char** argv) {
  using namespace memfit::cli;
  CLI::App app{"memfit: how much memory a model needs, and whether it fits", "memfit"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("memfit 0.1.0"));
  std::vector<Command> commands{add_estimate_memory(app), add_list(app), add_inspect(app), add_gpus(app),
                                add_fit(app), add_search(app), add_serve(app), add_publish(app)};
  if (argc > 1 && argv[1][0] != '-') {
    std::string first = argv[1], names;
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
