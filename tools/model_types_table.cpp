// Prints the README's table of every transformers model type and how memfit answers it (a family builder; else the
// checkpoint's headers, then the generic decoder or an error), with the default-config sweep's verdict where the real
// accelerate could build the default config. Generated, never edited by hand: scripts/update_model_types_table.sh.
// usage: model_types_table SWEEP_DIR   (tests/data/sweep/transformers_defaults)
#include <fmt/format.h>

#include <filesystem>
#include <set>

#include "arch/registry.h"
#include "format/config_defaults.h"
#include "sweep_compare.h"

using namespace memfit;

int main(int argc, char** argv) {
  if (argc != 2) {
    fmt::print(stderr, "usage: model_types_table SWEEP_DIR\n");
    return 2;
  }
  std::filesystem::path sweep_dir(argv[1]);
  std::set<std::string> types;
  for (const auto& t : transformers_model_types()) types.insert(t);
  for (const auto& t : supported_model_types()) types.insert(t);
  std::map<std::string, int> counts;
  std::string rows;
  for (const auto& t : types) {
    std::string how;
    if (is_supported_model_type(t)) {
      how = "builder";
    } else {
      auto b = build_transformers(Json{{"model_type", t}});
      how = b && b->approximate ? "checkpoint headers, else generic decoder" : "checkpoint headers, else unsupported";
    }
    std::string cls = config_class_for(t);
    std::string verdict = "-";
    if (std::filesystem::exists(sweep_dir / t / "result.json")) {
      auto o = sweep::judge(sweep::load_json(sweep_dir / t / "config.json"), sweep::load_json(sweep_dir / t / "result.json"));
      verdict = o.kind == "exact" ? "byte-exact" : o.kind;
    }
    ++counts[how];
    rows += fmt::format("| `{}` | {} | {} | {} |\n", t, cls.empty() ? "(not in transformers)" : "`" + cls + "`", how, verdict);
  }
  fmt::print("{} model types: {} by a builder, {} from checkpoint headers else the generic decoder, {} from checkpoint "
             "headers else unsupported.\n\n",
             types.size(), counts["builder"], counts["checkpoint headers, else generic decoder"],
             counts["checkpoint headers, else unsupported"]);
  fmt::print("| model_type | config class | answered by | default config vs accelerate |\n|---|---|---|---|\n{}", rows);
  return 0;
}
