// `memfit inspect`: what a checkpoint holds, read from its safetensors / GGUF headers only (local files, or a Hub
// repository through HTTP Range requests).
#include <cstdio>
#include <filesystem>

#include "cli/commands.h"
#include "inspect/hub_inspect.h"
#include "inspect/inspect.h"

namespace memfit::cli {

namespace {
struct Args {
  std::string path;
  std::string format = "table";
  inspect::HubInspectOptions hub;
};

int run(const Args& a) {
  if (auto e = check_choice("--format", a.format, {"table", "markdown", "json", "csv"})) return report_error(*e);
  // A path that exists, or looks like one, is local; anything else names a Hub repository.
  std::error_code ec;
  const std::string& p = a.path;
  bool local = std::filesystem::exists(p, ec) || p.starts_with("/") || p.starts_with(".") || p.ends_with(".gguf") ||
               p.ends_with(".safetensors") || p.ends_with(".json");
  auto r = local ? inspect::inspect_path(p) : inspect::inspect_hub(p, a.hub);
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
                  "A .safetensors or .gguf file (split GGUF: any part), a *.safetensors.index.json, a folder, or a "
                  "Hub id (headers only, over HTTP Range requests)")
      ->required();
  sub->add_option("--format", a->format, "table (default), markdown, json or csv");
  sub->add_option("--file", a->hub.file, "Hub: one file of the repository (a .gguf, a .safetensors or an index)");
  sub->add_option("--revision", a->hub.revision, "Hub: branch, tag, commit sha or refs/pr/N (default: main)");
  sub->add_option("--token", a->hub.token, "Hub access token (default: $HF_TOKEN, then the huggingface token file)");
  sub->add_option("--timeout", a->hub.timeout_s, "Hub: seconds a request may take (default 10)")
      ->check(CLI::PositiveNumber);
  return {sub, [a] { return run(*a); }};
}

}  // namespace memfit::cli
