// fit's renderers: a readable table (box drawing), markdown and CSV, all from the result's JSON.
#include <fmt/format.h>

#include "fit/engine.h"

namespace memfit {

using fitdetail::gib;

namespace {

const char* kTerms[] = {"weights", "kv_cache", "activations", "gradients", "optimizer", "overhead"};

std::string title(const Json& j) {
  std::string mode = j.value("mode", "inference") == "training"
                         ? fmt::format("{} fine-tuning", j["training"].value("method", "full"))
                         : fmt::format("{} inference", j["engine"].get<std::string>());
  return fmt::format("`{}` ({}), {} on {} x {}", j["model"].get<std::string>(), j["architecture"].get<std::string>(),
                     mode, j["gpu"]["count"].get<int>(), j["gpu"]["name"].get<std::string>());
}

std::string setting(const Json& j) {
  std::string q = j["quantization"].get<std::string>(), d = j["dtype"].get<std::string>();
  std::string w = q.empty() || q.starts_with("gguf ") ? d : fmt::format("{} (other tensors {})", q, d);
  return fmt::format("context {} tokens, batch {}, weights {}, KV cache {}", j["context"].get<int64_t>(),
                     j["batch"].get<int64_t>(), w, j["kv_cache_dtype"].get<std::string>());
}

std::vector<std::string> details(const Json& j) {
  std::vector<std::string> out;
  int64_t mc = j["max_context"].get<int64_t>();
  out.push_back(fmt::format("max context that fits: {}; max batch: {}; GPUs needed: {}",
                            mc > 0 ? fmt::format("{} tokens", mc) : std::string("none"), j["max_batch"].get<int64_t>(),
                            j["gpus_needed"].get<int>() > 0 ? std::to_string(j["gpus_needed"].get<int>()) : "more than 64"));
  if (!j["decode_tokens_per_s_upper_bound"].is_null())
    out.push_back(fmt::format("decode speed bound (memory bandwidth): {:.1f} tokens/s",
                              j["decode_tokens_per_s_upper_bound"].get<double>()));
  if (j.contains("vllm"))
    for (const auto& l : j["vllm"]["log"]) out.push_back("vLLM would log: " + l.get<std::string>());
  if (j.contains("vllm") && j["vllm"]["starts"].get<bool>() == false)
    out.push_back(fmt::format("largest --max-model-len that starts: {}", j["vllm"]["max_model_len_that_starts"].get<int64_t>()));
  if (j.contains("llamacpp"))
    out.push_back(fmt::format("llama.cpp: -ngl {} of {}, {} KV cells, compute buffer {}",
                              j["llamacpp"]["n_gpu_layers"].get<int>(), j["llamacpp"]["n_layers_total"].get<int64_t>(),
                              j["llamacpp"]["kv_cells"].get<int64_t>(),
                              gib(j["llamacpp"]["compute_buffer_bytes"].get<uint64_t>())));
  if (j.value("trainable_parameters", uint64_t(0)) > 0)
    out.push_back(fmt::format("trainable parameters: {} of {}", j["trainable_parameters"].get<uint64_t>(),
                              j["parameters"].get<uint64_t>()));
  return out;
}

std::string pad(const std::string& s, size_t w, bool right) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  std::string sp(w > n ? w - n : 0, ' ');
  return right ? sp + s : s + sp;
}

}  // namespace

std::string render_fit_table(const FitResult& r) {
  const Json& j = r.json;
  std::string out = "memfit fit: " + title(j) + "\n" + setting(j) + "\n";
  const size_t a = 13, b = 14;
  auto rule = [&](const char* l, const char* m, const char* rr) {
    std::string s = l;
    for (size_t i = 0; i < a + 2; ++i) s += "─";
    s += m;
    for (size_t i = 0; i < b + 2; ++i) s += "─";
    return s + rr + "\n";
  };
  auto row = [&](const std::string& k, const std::string& v) {
    return "│ " + pad(k, a, false) + " │ " + pad(v, b, true) + " │\n";
  };
  out += rule("┌", "┬", "┐") + row("term", "per GPU") + rule("├", "┼", "┤");
  for (const char* k : kTerms)
    if (j["breakdown"][k].get<uint64_t>() > 0) out += row(k, gib(j["breakdown"][k].get<uint64_t>()));
  out += rule("├", "┼", "┤") + row("total", gib(j["total_bytes_per_gpu"].get<uint64_t>())) +
         row("usable", gib(j["budget_bytes_per_gpu"].get<uint64_t>())) + rule("└", "┴", "┘");
  out += j["verdict"].get<std::string>() + "\n";
  for (const auto& d : details(j)) out += d + "\n";
  if (!j["suggestions"].empty()) {
    out += "would fit with:\n";
    for (const auto& s : j["suggestions"])
      out += fmt::format("  {:<40} {}\n", s["change"].get<std::string>(), gib(s["total_bytes_per_gpu"].get<uint64_t>()));
  }
  if (!j["assumptions"].empty()) {
    out += "assumed:\n";
    for (const auto& s : j["assumptions"]) out += "  - " + s.get<std::string>() + "\n";
  }
  return out;
}

std::string render_fit_markdown(const FitResult& r) {
  const Json& j = r.json;
  std::string out = "### " + title(j) + "\n\n" + setting(j) + "\n\n| term | per GPU |\n|---|---:|\n";
  for (const char* k : kTerms)
    if (j["breakdown"][k].get<uint64_t>() > 0) out += fmt::format("| {} | {} |\n", k, gib(j["breakdown"][k].get<uint64_t>()));
  out += fmt::format("| **total** | **{}** |\n| usable | {} |\n\n", gib(j["total_bytes_per_gpu"].get<uint64_t>()),
                     gib(j["budget_bytes_per_gpu"].get<uint64_t>()));
  out += "**" + j["verdict"].get<std::string>() + "**\n\n";
  for (const auto& d : details(j)) out += "- " + d + "\n";
  for (const auto& s : j["suggestions"])
    out += fmt::format("- would fit with `{}`: {}\n", s["change"].get<std::string>(),
                       gib(s["total_bytes_per_gpu"].get<uint64_t>()));
  for (const auto& s : j["assumptions"]) out += "- assumed: " + s.get<std::string>() + "\n";
  return out;
}

std::string render_fit_csv(const FitResult& r) {
  const Json& j = r.json;
  std::string out = "term,bytes_per_gpu\n";
  for (const char* k : kTerms) out += fmt::format("{},{}\n", k, j["breakdown"][k].get<uint64_t>());
  out += fmt::format("total,{}\nusable,{}\n", j["total_bytes_per_gpu"].get<uint64_t>(),
                     j["budget_bytes_per_gpu"].get<uint64_t>());
  return out;
}

}  // namespace memfit
