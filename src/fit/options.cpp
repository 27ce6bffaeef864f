// fit_options_from_params: the one parser and validator of fit's options, for the CLI and the server alike.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <set>

#include "fit/fit.h"
#include "fit/kv_cache.h"

namespace memfit {

namespace {

std::string norm(std::string n) {
  while (!n.empty() && n[0] == '-') n.erase(0, 1);
  std::replace(n.begin(), n.end(), '-', '_');
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return n;
}

std::string flag(const std::string& n) {
  std::string f = "--" + n;
  std::replace(f.begin(), f.end(), '_', '-');
  return f;
}

// Integer with an optional k/K (x1024) or M (x1048576) suffix, within [lo, hi].
Result<int64_t> integer(const std::string& name, const std::string& v, int64_t lo, int64_t hi) {
  std::string s = v;
  int64_t mul = 1;
  if (!s.empty() && (s.back() == 'k' || s.back() == 'K')) mul = 1024, s.pop_back();
  else if (!s.empty() && (s.back() == 'm' || s.back() == 'M')) mul = 1 << 20, s.pop_back();
  int64_t x = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size())
    return fail(ErrorKind::Usage, fmt::format("{}: `{}` is not an integer", flag(name), v));
  if (x > hi / mul || x * mul < lo || x * mul > hi)
    return fail(ErrorKind::Usage, fmt::format("{}: {} is out of range ({}..{})", flag(name), v, lo, hi));
  return x * mul;
}

Result<bool> boolean(const std::string& name, const std::string& v) {
  std::string s = norm(v);
  if (s.empty() || s == "1" || s == "true" || s == "on" || s == "yes") return true;
  if (s == "0" || s == "false" || s == "off" || s == "no") return false;
  return fail(ErrorKind::Usage, fmt::format("{}: `{}` is not true/false", flag(name), v));
}

std::optional<Error> choice(const std::string& name, const std::string& v, std::initializer_list<const char*> ok) {
  std::string all;
  for (const char* o : ok) {
    if (v == o) return std::nullopt;
    all += (all.empty() ? "" : ", ") + std::string(o);
  }
  return Error{ErrorKind::Usage, fmt::format("{}: `{}` is not one of {}", flag(name), v, all)};
}

const std::set<std::string> kVllmOnly{"gpu_memory_utilization", "max_num_batched_tokens", "max_num_seqs",
                                      "enforce_eager"};
const std::set<std::string> kLlamaOnly{"n_gpu_layers", "ubatch", "cache_type_k", "cache_type_v", "flash_attn"};
const std::set<std::string> kTrainOnly{"optimizer", "precision", "grad_checkpointing", "attention", "lora_rank",
                                       "lora_alpha", "lora_targets", "zero", "offload", "fsdp", "seq_len"};

}  // namespace

Result<FitOptions> fit_options_from_params(const std::vector<std::pair<std::string, std::string>>& params) {
  FitOptions o;
  TrainingOptions tr;
  std::set<std::string> given;
  std::string train;
  for (const auto& [raw, v] : params) {
    std::string n = norm(raw);
    if (n == "max_model_len" || n == "ctx_size" || n == "ctx") n = "context";
    if (n == "kv_cache_dtype") n = "kv_dtype";
    if (n == "tensor_parallel_size") n = "tp";
    if (n == "ngl" || n == "gpu_layers") n = "n_gpu_layers";
    if (n == "ubatch_size") n = "ubatch";
    if (n == "library_name") n = "library";
    given.insert(n);
    Result<int64_t> i = 0;
    if (n == "gpu") {
      o.gpu = v;
    } else if (n == "gpu_memory") {
      auto b = parse_memory_size(v);
      if (!b) return std::unexpected(Error{ErrorKind::Usage, "--gpu-memory: " + b.error().message});
      if (*b == 0 || *b > (1ull << 50)) return fail(ErrorKind::Usage, fmt::format("--gpu-memory: {} is out of range", v));
      o.gpu_memory = *b;
    } else if (n == "gpus") {
      if (!(i = integer(n, v, 1, 1024))) return std::unexpected(i.error());
      o.gpus = int(*i);
    } else if (n == "engine") {
      std::string e = norm(v);
      if (e == "llamacpp" || e == "llama.cpp" || e == "llama_cpp") e = "llama.cpp";
      if (e == "transformers") e = "hf";
      if (auto err = choice(n, e, {"hf", "vllm", "llama.cpp"})) return std::unexpected(*err);
      o.engine = e;
    } else if (n == "dtype") {
      std::string d = norm(v);
      if (d == "fp32" || d == "f32" || d == "float") d = "float32";
      if (d == "fp16" || d == "f16" || d == "half") d = "float16";
      if (d == "bf16") d = "bfloat16";
      if (auto err = choice(n, d, {"float32", "float16", "bfloat16"})) return std::unexpected(*err);
      o.dtype = d;
    } else if (n == "quantization") {
      if (auto s = scheme_from_name(v); !s) return std::unexpected(Error{ErrorKind::Usage, "--quantization: " + s.error().message});
      o.quantization = v;
    } else if (n == "kv_dtype" || n == "cache_type_k" || n == "cache_type_v") {
      auto k = kv_type(v);
      if (!k) return std::unexpected(Error{ErrorKind::Usage, flag(n) + ": " + k.error().message});
      (n == "kv_dtype" ? o.kv_dtype : n == "cache_type_k" ? o.cache_type_k : o.cache_type_v) = k->name;
    } else if (n == "context" || n == "seq_len") {
      if (!(i = integer(n, v, 1, 1 << 24))) return std::unexpected(i.error());
      o.context = *i;
    } else if (n == "batch") {
      if (!(i = integer(n, v, 1, 1 << 16))) return std::unexpected(i.error());
      o.batch = *i;
    } else if (n == "tp") {
      if (!(i = integer(n, v, 1, 1024))) return std::unexpected(i.error());
      o.tp = int(*i);
    } else if (n == "gpu_memory_utilization") {
      double d = 0;
      auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
      if (ec != std::errc() || p != v.data() + v.size() || !(d > 0 && d <= 1))
        return fail(ErrorKind::Usage, fmt::format("--gpu-memory-utilization: `{}` is not in (0, 1]", v));
      o.gpu_memory_utilization = d;
    } else if (n == "max_num_batched_tokens") {
      if (!(i = integer(n, v, 1, 1 << 24))) return std::unexpected(i.error());
      o.max_num_batched_tokens = *i;
    } else if (n == "max_num_seqs") {
      if (!(i = integer(n, v, 1, 1 << 20))) return std::unexpected(i.error());
      o.max_num_seqs = *i;
    } else if (n == "enforce_eager" || n == "flash_attn" || n == "grad_checkpointing" || n == "fsdp" ||
               n == "offline") {
      auto b = boolean(n, v);
      if (!b) return std::unexpected(b.error());
      if (n == "enforce_eager") o.enforce_eager = *b;
      else if (n == "flash_attn") o.flash_attn = *b;
      else if (n == "grad_checkpointing") tr.grad_checkpointing = *b;
      else if (n == "fsdp") tr.fsdp = *b;
      else o.estimate.resolve.offline = *b;
    } else if (n == "n_gpu_layers") {
      if (!(i = integer(n, v, -1, 100000))) return std::unexpected(i.error());
      o.n_gpu_layers = int(*i);
    } else if (n == "ubatch") {
      if (!(i = integer(n, v, 1, 1 << 20))) return std::unexpected(i.error());
      o.ubatch = *i;
    } else if (n == "train") {
      if (auto err = choice(n, v, {"full", "lora", "qlora"})) return std::unexpected(*err);
      train = v;
    } else if (n == "optimizer") {
      if (auto err = choice(n, v, {"adamw", "adamw-8bit", "paged-adamw-8bit", "sgd", "adafactor", "lion"}))
        return std::unexpected(*err);
      tr.optimizer = v;
    } else if (n == "precision") {
      if (auto err = choice(n, v, {"fp32", "bf16-mixed", "fp16-mixed", "bf16"})) return std::unexpected(*err);
      tr.precision = v;
    } else if (n == "attention") {
      if (auto err = choice(n, v, {"eager", "sdpa", "flash"})) return std::unexpected(*err);
      tr.attention = v;
    } else if (n == "lora_rank" || n == "lora_alpha") {
      if (!(i = integer(n, v, 1, 1 << 16))) return std::unexpected(i.error());
      (n == "lora_rank" ? tr.lora_rank : tr.lora_alpha) = *i;
    } else if (n == "lora_targets") {
      tr.lora_targets.clear();
      size_t a = 0;
      while (a <= v.size()) {
        size_t b = v.find(',', a);
        std::string t = v.substr(a, b == std::string::npos ? std::string::npos : b - a);
        if (t.empty()) return fail(ErrorKind::Usage, "--lora-targets: empty module name");
        tr.lora_targets.push_back(t);
        if (b == std::string::npos) break;
        a = b + 1;
      }
    } else if (n == "zero") {
      if (!(i = integer(n, v, 0, 3))) return std::unexpected(i.error());
      tr.zero = int(*i);
    } else if (n == "offload") {
      if (auto err = choice(n, v, {"optimizer", "params"})) return std::unexpected(*err);
      tr.offload = v;
    } else if (n == "library") {
      if (auto err = choice(n, v, {"transformers", "timm"})) return std::unexpected(*err);
      o.estimate.library = v;
    } else if (n == "revision") {
      o.estimate.resolve.revision = v;
    } else {
      return fail(ErrorKind::Usage, fmt::format("unknown option {}", flag(n)));
    }
  }
  // Options that do not apply to the chosen engine or mode.
  bool training = !train.empty();
  for (const auto& n : given) {
    if (kVllmOnly.contains(n) && (o.engine != "vllm" || training))
      return fail(ErrorKind::Usage, fmt::format("{} applies to --engine vllm only", flag(n)));
    if (kLlamaOnly.contains(n) && (o.engine != "llama.cpp" || training))
      return fail(ErrorKind::Usage, fmt::format("{} applies to --engine llama.cpp only", flag(n)));
    if (kTrainOnly.contains(n) && !training)
      return fail(ErrorKind::Usage, fmt::format("{} applies to --train only", flag(n)));
  }
  if (training && given.contains("engine") && o.engine != "hf")
    return fail(ErrorKind::Usage, "--train estimates a transformers training run: --engine must be hf");
  if (given.contains("gpu") && given.contains("gpu_memory"))
    return fail(ErrorKind::Usage, "give --gpu or --gpu-memory, not both");
  if (training) {
    if (given.contains("kv_dtype")) return fail(ErrorKind::Usage, "--kv-dtype applies to inference only");
    if (!tr.offload.empty() && tr.zero < 2 && !tr.fsdp)
      return fail(ErrorKind::Usage, "--offload needs --zero 2 or 3 (or --fsdp)");
    if (tr.offload == "params" && tr.zero < 3 && !tr.fsdp)
      return fail(ErrorKind::Usage, "--offload params needs --zero 3 (or --fsdp)");
    if (tr.fsdp && tr.zero > 0) return fail(ErrorKind::Usage, "give --fsdp or --zero, not both");
    tr.method = train;
    tr.batch = o.batch;
    if (o.context > 0) tr.seq_len = o.context;
    o.train = tr;
  }
  return o;
}

}  // namespace memfit
