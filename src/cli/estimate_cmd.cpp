// `memfit estimate-memory`: accelerate's command, same flags, plus --task-model and --format.
#include <cstdio>

#include <fmt/format.h>

#include "cli/commands.h"
#include "memfit.h"
#include "report/report.h"

namespace memfit::cli {

namespace {
struct Args {
  std::string model;
  std::string library;
  std::vector<std::string> dtypes;
  bool trust_remote_code = false;
  bool task_model = false;
  bool breakdown = false;
  std::string format = "table";
  ResolveOptions resolve;
  std::string quantization;
};

int run(const Args& a) {
  if (!a.library.empty())
    if (auto e = check_choice("--library_name", a.library, {"transformers", "timm"})) return report_error(*e);
  for (const auto& d : a.dtypes)
    if (auto e = check_choice("--dtypes", d, accelerate_dtypes())) return report_error(*e);
  if (auto e = check_choice("--format", a.format, {"table", "markdown", "json", "csv"})) return report_error(*e);

  EstimateOptions opts;
  opts.library = a.library;
  if (!a.dtypes.empty()) opts.dtypes = a.dtypes;
  opts.target = a.task_model ? Target::TaskModel : Target::Accelerate;
  opts.breakdown = a.breakdown;
  opts.resolve = a.resolve;
  opts.quantization = a.quantization;
  auto est = estimate_memory(a.model, opts);
  if (!est) return report_error(est.error());
  say("", fmt::format("Loading pretrained config for `{}` from `{}`...", a.model, est->library));
  for (const auto& n : est->notes) say("memfit: warning: ", n);
  std::string out;
  if (a.format == "table") out = render_table(*est) + (a.breakdown ? render_breakdown(*est) : "");
  else if (a.format == "markdown") out = render_markdown(*est) + (a.breakdown ? render_breakdown(*est) : "");
  else if (a.format == "json") out = render_json(*est);
  else out = render_csv(*est);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}
}  // namespace

Command add_estimate_memory(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("estimate-memory", "Model size per dtype, byte for byte what accelerate reports");
  sub->add_option("model", a->model, "Hub id (org/name, legacy id or Hub URL), a folder with config.json, or a config.json")
      ->required();
  sub->add_option("--library_name", a->library, "transformers or timm (default: detected from the config)");
  sub->add_option("--dtypes", a->dtypes, "Any of float32 float16 int8 int4 (default: all four)");
  sub->add_flag("--trust_remote_code", a->trust_remote_code,
                "Accepted for compatibility; memfit never runs code from a model repository");
  sub->add_flag("--task-model", a->task_model, "Build the config's architectures[0] class (with its head)");
  sub->add_option("--format", a->format, "table (default), markdown, json or csv");
  sub->add_flag("--breakdown", a->breakdown, "Also show each top-level module and each repeated block with its count");
  add_hub_options(sub, a->resolve);
  sub->add_option("--quantization", a->quantization,
                  "What-if size as loaded with a quantization method (extra section): bnb-int8, bnb-nf4, bnb-nf4-dq, "
                  "gptq-4bit-g128, awq-4bit-g128, fp8, mxfp4, nvfp4, gguf-q4_k_m, gguf-q8_0, ...");
  return {sub, [a] { return run(*a); }};
}

}  // namespace memfit::cli
