// `memfit inspect`: what a checkpoint holds, read from its safetensors / GGUF headers only.
#include <cstdio>

#include "cli/commands.h"
#include "inspect/inspect.h"

namespace memfit::cli {

namespace {
struct Args {
  std::string path;
  std::string format = "table";
};

int run(const Args& a) {
  if (auto e = check_choice("--format", a.format, {"table", "markdown", "json", "csv"})) return report_error(*e);
  auto r = inspect::inspect_path(a.path);
  if (!r) return report_error(r.error());
  std::string out;
  if (a.format == "table") out = inspect::render_table(*r);
  else if (a.format == "markdown") out = inspect::render_markdown(*r);
  else if (a.format == "json") out = inspect::render_json(*r);
  else out = inspect::render_csv(*r);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
}  // namespace

Command add_inspect(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("inspect", "Exact tensors, bytes and parameters of a checkpoint, from its headers");
  sub->add_option("model", a->path,
                  "A .safetensors or .gguf file (split GGUF: any part), a *.safetensors.index.json, or a folder")
      ->required();
  sub->add_option("--format", a->format, "table (default), markdown, json or csv");
  return {sub, [a] { return run(*a); }};
}

}  // namespace memfit::cli
