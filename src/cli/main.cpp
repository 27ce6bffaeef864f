// memfit's command line: argument parsing and exit codes only; everything else is the library's.
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <iostream>

#include "memfit.h"
#include "report/report.h"
#include "source/catalog.h"
#include "tree/measure.h"

namespace {

using namespace memfit;

int report_error(const Error& e) {
  std::fprintf(stderr, "memfit: error: %s\n", e.message.c_str());
  return exit_code(e.kind);
}

// Checks that `value` is one of `allowed`, naming the flag and the allowed values otherwise.
std::optional<Error> check_choice(const std::string& flag, const std::string& value,
                                  const std::vector<std::string>& allowed) {
  for (const auto& a : allowed)
    if (a == value) return std::nullopt;
  return Error{ErrorKind::Usage, fmt::format("{}: `{}` is not one of {}", flag, value, fmt::join(allowed, ", "))};
}

struct EstimateArgs {
  std::string model;
  std::string library;
  std::vector<std::string> dtypes;
  bool trust_remote_code = false;
  bool task_model = false;
  std::string format = "table";
};

int run_estimate(const EstimateArgs& a) {
  if (!a.library.empty())
    if (auto e = check_choice("--library_name", a.library, {"transformers", "timm"})) return report_error(*e);
  for (const auto& d : a.dtypes)
    if (auto e = check_choice("--dtypes", d, accelerate_dtypes())) return report_error(*e);
  if (auto e = check_choice("--format", a.format, {"table", "markdown", "json", "csv"})) return report_error(*e);

  EstimateOptions opts;
  opts.library = a.library;
  if (!a.dtypes.empty()) opts.dtypes = a.dtypes;
  opts.target = a.task_model ? Target::TaskModel : Target::Accelerate;
  auto est = estimate_memory(a.model, opts);
  if (!est) return report_error(est.error());
  std::fprintf(stderr, "Loading pretrained config for `%s` from `%s`...\n", a.model.c_str(), est->library.c_str());
  std::string out;
  if (a.format == "table") out = render_table(*est);
  else if (a.format == "markdown") out = render_markdown(*est);
  else if (a.format == "json") out = render_json(*est);
  else out = render_csv(*est);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int run_list() {
  std::vector<std::array<std::string, 4>> rows{{"id", "library", "type", "parameters"}};
  for (const auto& e : catalog()) {
    ModelSource src{std::string(e.id), "catalog", std::string(e.config), std::string(e.id), std::string(e.library)};
    EstimateOptions opts;
    opts.library = std::string(e.library);
    std::string type, params = "not supported yet";
    auto j = parse_json(e.config, e.id);
    if (j && j->is_object()) {
      if (e.library == "timm") type = j->value("architecture", "");
      else type = j->value("model_type", "");
    }
    if (auto b = build_model(src, opts)) params = fmt::format("{}", measure(b->model).parameters);
    rows.push_back({std::string(e.id), std::string(e.library), type, params});
  }
  size_t w[3] = {0, 0, 0};
  for (const auto& r : rows)
    for (int i = 0; i < 3; ++i) w[i] = std::max(w[i], r[i].size());
  for (const auto& r : rows)
    fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", r[0], w[0], r[1], w[1], r[2], w[2], r[3]);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"memfit: how much memory a model needs, and whether it fits", "memfit"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("memfit 0.1.0"));

  EstimateArgs ea;
  auto* est = app.add_subcommand("estimate-memory", "Model size per dtype, byte for byte what accelerate reports");
  est->add_option("model", ea.model, "Hub id (from the bundled catalog), a folder with config.json, or a config.json")
      ->required();
  est->add_option("--library_name", ea.library, "transformers or timm (default: detected from the config)");
  est->add_option("--dtypes", ea.dtypes, "Any of float32 float16 int8 int4 (default: all four)");
  est->add_flag("--trust_remote_code", ea.trust_remote_code,
                "Accepted for compatibility; memfit never runs code from a model repository");
  est->add_flag("--task-model", ea.task_model, "Build the config's architectures[0] class (with its head)");
  est->add_option("--format", ea.format, "table (default), markdown, json or csv");

  app.add_subcommand("list", "List the bundled catalog");

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
    std::fprintf(stderr, "memfit: error: %s (see memfit --help)\n", msg.c_str());
    return 2;
  }
  try {
    if (est->parsed()) return run_estimate(ea);
    return run_list();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "memfit: error: internal: %s\n", e.what());
    return 1;
  }
}
