// `memfit list`: the bundled catalog with each model's library, type and parameter count; `--model-types`: every
// transformers model_type memfit builds.
#include <fmt/format.h>

#include <array>

#include "cli/commands.h"
#include "memfit.h"
#include "source/catalog.h"
#include "tree/measure.h"

namespace memfit::cli {

namespace {
bool g_model_types = false;

int run() {
  if (g_model_types) {
    for (const auto& t : supported_model_types()) fmt::print("{}\n", t);
    return 0;
  }
  std::vector<std::array<std::string, 4>> rows{{"id", "library", "type", "parameters"}};
  for (const auto& e : catalog()) {
    ModelSource src{std::string(e.id), "catalog", std::string(e.config), std::string(e.id), std::string(e.library)};
    EstimateOptions opts;
    opts.library = std::string(e.library);
    std::string type, params = "not supported yet";
    auto j = parse_json(e.config, e.id);
    if (j && j->is_object()) type = j->value(e.library == "timm" ? "architecture" : "model_type", "");
    if (auto b = build_model(src, opts))
      params = fmt::format("{}{}", measure(b->model).parameters, b->approximate ? " (approximate)" : "");
    rows.push_back({std::string(e.id), std::string(e.library), type, params});
  }
  size_t w[3] = {0, 0, 0};
  for (const auto& r : rows)
    for (int i = 0; i < 3; ++i) w[i] = std::max(w[i], r[i].size());
  for (const auto& r : rows) fmt::print("{:<{}}  {:<{}}  {:<{}}  {}\n", r[0], w[0], r[1], w[1], r[2], w[2], r[3]);
  return 0;
}
}  // namespace

Command add_list(CLI::App& app) {
  auto* sub = app.add_subcommand("list", "List the bundled catalog");
  sub->add_flag("--model-types", g_model_types, "List the transformers model types memfit builds, one per line");
  return {sub, run};
}

}  // namespace memfit::cli
