// `memfit fit MODEL` and `memfit search`: every option is collected as (name, value) and handed to
// fit_options_from_params, the parser the server shares.
#include <cstdio>

#include "cli/commands.h"
#include "fit/fit.h"

namespace memfit::cli {

namespace {

// Options taking a value: long name (as in the README), help.
const std::vector<std::pair<const char*, const char*>> kValueOptions{
    {"gpu", "GPU from the table (memfit gpus), NAME or NAMExN, e.g. RTX-4090, H100-80GBx8"},
    {"gpu-memory", "Custom GPU memory instead of --gpu: 24GiB, 80GB, ..."},
    {"gpus", "Number of GPUs (default 1, or the N of NAMExN)"},
    {"engine", "hf (default), vllm or llama.cpp"},
    {"dtype", "Weights' dtype: float32, float16, bfloat16 (default: the config's torch_dtype)"},
    {"quantization", "What-if weights: bnb-nf4, gptq-4bit-g128, awq-4bit-g128, fp8, gguf-q4_k_m, ..."},
    {"kv-dtype", "KV cache dtype: fp16, bf16, fp8, q8_0, q4_0 (default: the weights' dtype)"},
    {"context", "Tokens per sequence (vLLM's --max-model-len; default min(model maximum, 8192)); 32k = 32768"},
    {"max-model-len", "Same as --context"},
    {"batch", "Concurrent sequences (training: micro-batch per GPU; default 1)"},
    {"tp", "Tensor parallel degree (default: all GPUs for vllm, else 1)"},
    {"gpu-memory-utilization", "vllm: share of the GPU's memory vLLM may use (default 0.9)"},
    {"max-num-batched-tokens", "vllm: tokens per scheduler step (default: vLLM's for the GPU)"},
    {"max-num-seqs", "vllm: sequences per step (default: vLLM's for the GPU)"},
    {"n-gpu-layers", "llama.cpp: -ngl (default: the largest that fits, as --fit chooses)"},
    {"ubatch", "llama.cpp: physical batch (default 512)"},
    {"cache-type-k", "llama.cpp: K cache type (f16, q8_0, q4_0, ...)"},
    {"cache-type-v", "llama.cpp: V cache type"},
    {"train", "Training estimate: full, lora or qlora"},
    {"optimizer", "adamw (default), adamw-8bit, paged-adamw-8bit, sgd, adafactor, lion"},
    {"precision", "fp32, bf16-mixed (default), fp16-mixed, bf16"},
    {"seq-len", "Training sequence length (default 2048)"},
    {"attention", "eager, sdpa (default) or flash"},
    {"lora-rank", "LoRA rank (default 8)"},
    {"lora-alpha", "LoRA alpha (default 16)"},
    {"lora-targets", "Comma-separated module names, or all-linear (default: PEFT's for the architecture)"},
    {"zero", "DeepSpeed ZeRO stage 0..3"},
    {"offload", "ZeRO offload: optimizer or params"},
    {"library_name", "transformers or timm (default: detected)"},
};
const std::vector<std::pair<const char*, const char*>> kFlags{
    {"enforce-eager", "vllm: no CUDA graphs"},
    {"no-flash-attn", "llama.cpp: without flash attention"},
    {"grad-checkpointing", "Training: gradient checkpointing"},
    {"fsdp", "Training: FSDP FULL_SHARD"},
};

struct Args {
  std::string model, format = "table";
  std::vector<std::pair<std::string, std::string>> values;  // name, value (filled by CLI11 callbacks, in order)
  std::vector<std::string> flags;
  size_t limit = 50;
  bool no_cache = false;
  ResolveOptions resolve;
};

void add_fit_options(CLI::App* sub, const std::shared_ptr<Args>& a) {
  for (const auto& [name, help] : kValueOptions)
    sub->add_option_function<std::string>(
        std::string("--") + name, [a, n = std::string(name)](const std::string& v) { a->values.emplace_back(n, v); },
        help);
  for (const auto& [name, help] : kFlags)
    sub->add_flag_callback(std::string("--") + name, [a, n = std::string(name)] { a->flags.push_back(n); }, help);
  sub->add_option("--format", a->format, "table (default), markdown, json or csv");
  add_hub_options(sub, a->resolve);
}

Result<FitOptions> options(const Args& a) {
  auto params = a.values;
  for (const auto& f : a.flags) params.emplace_back(f == "no-flash-attn" ? "flash-attn" : f, f == "no-flash-attn" ? "false" : "true");
  auto o = fit_options_from_params(params);
  if (!o) return o;
  bool offline = o->estimate.resolve.offline;
  o->estimate.resolve = a.resolve;
  o->estimate.resolve.offline = a.resolve.offline || offline;
  return o;
}

int run_fit(const Args& a) {
  if (auto e = check_choice("--format", a.format, {"table", "markdown", "json", "csv"})) return report_error(*e);
  auto o = options(a);
  if (!o) return report_error(o.error());
  auto r = fit(a.model, *o);
  if (!r) return report_error(r.error());
  std::string out = a.format == "json"       ? r->json.dump(2) + "\n"
                    : a.format == "markdown" ? render_fit_markdown(*r)
                    : a.format == "csv"      ? render_fit_csv(*r)
                                             : render_fit_table(*r);
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

std::string human(uint64_t b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", double(b) / double(1ull << 30));
  return buf;
}

int run_search(const Args& a) {
  if (auto e = check_choice("--format", a.format, {"table", "markdown", "json", "csv"})) return report_error(*e);
  auto o = options(a);
  if (!o) return report_error(o.error());
  SearchOptions so;
  so.fit = *o;
  so.limit = a.limit;
  so.include_cache = !a.no_cache;
  auto r = search(so);
  if (!r) return report_error(r.error());
  const auto& j = *r;
  std::string out;
  if (a.format == "json") {
    out = j.dump(2) + "\n";
  } else if (a.format == "csv") {
    out = "model,parameters,total_bytes_per_gpu,headroom_bytes\n";
    for (const auto& x : j["results"])
      out += x["model"].get<std::string>() + "," + std::to_string(x["parameters"].get<uint64_t>()) + "," +
             std::to_string(x["total_bytes_per_gpu"].get<uint64_t>()) + "," +
             std::to_string(x["headroom_bytes"].get<int64_t>()) + "\n";
  } else {
    bool md = a.format == "markdown";
    out = (md ? "| model | parameters | per GPU | headroom |\n|---|---:|---:|---:|\n" : "");
    if (!md) {
      char head[256];
      std::snprintf(head, sizeof head, "%-48s %16s %12s %12s\n", "model", "parameters", "per GPU", "headroom");
      out += head;
    }
    for (const auto& x : j["results"]) {
      int64_t h = x["headroom_bytes"].get<int64_t>();
      char line[512];
      std::snprintf(line, sizeof line, md ? "| %s | %llu | %s | %s |\n" : "%-48s %16llu %12s %12s\n",
                    x["model"].get<std::string>().c_str(), (unsigned long long)x["parameters"].get<uint64_t>(),
                    human(x["total_bytes_per_gpu"].get<uint64_t>()).c_str(), human(uint64_t(h < 0 ? 0 : h)).c_str());
      out += line;
    }
    char tail[256];
    std::snprintf(tail, sizeof tail, "%zu of %zu models fit on %d x %s (%s, %s); %zu skipped\n",
                  j["fitting"].get<size_t>(), j["checked"].get<size_t>(),
                  j["gpu"].is_null() ? 0 : j["gpu"]["count"].get<int>(),
                  j["gpu"].is_null() ? "?" : j["gpu"]["name"].get<std::string>().c_str(),
                  j["engine"].get<std::string>().c_str(), j["mode"].get<std::string>().c_str(),
                  j["skipped"].get<size_t>());
    out += tail;
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

Command add_fit(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("fit", "Will the model run (or train) on these GPUs, under which engine, and what to change");
  sub->add_option("model", a->model, "Hub id, folder, config.json, catalog name, or a checkpoint (.safetensors, "
                                     "index, .gguf)")
      ->required();
  add_fit_options(sub, a);
  return {sub, [a] { return run_fit(*a); }};
}

Command add_search(CLI::App& app) {
  auto a = std::make_shared<Args>();
  auto* sub = app.add_subcommand("search", "Which models of the catalog and the HF cache fit these GPUs, smallest first");
  add_fit_options(sub, a);
  sub->add_option("--limit", a->limit, "Most results to list (default 50)")->check(CLI::Range(1, 100000));
  sub->add_flag("--no-cache", a->no_cache, "Only the bundled catalog, not the HF cache");
  return {sub, [a] { return run_search(*a); }};
}

}  // namespace memfit::cli
