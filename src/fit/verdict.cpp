// The verdict: largest context and batch that fit (bisection over the engine's own terms, which grow monotonically
// with both), GPUs needed, and an ordered list of changes that would make it fit, each with its new total.
#include <fmt/format.h>

#include <algorithm>

#include "fit/engine.h"

namespace memfit::fitdetail {

namespace {

constexpr int64_t kMaxContext = 1 << 24;
constexpr int64_t kMaxBatch = 1 << 16;
constexpr int kMaxGpus = 64;

bool fits(const ModelInfo& m, const Setting& s) {
  auto t = evaluate(m, s);
  return t && t->fits();
}

// Largest v in [1, hi] with ok(v), given ok is monotone (true then false); 0 when ok(1) fails.
template <class F>
int64_t bisect(int64_t hi, F ok) {
  if (!ok(1)) return 0;
  int64_t lo = 1;
  if (ok(hi)) return hi;
  while (hi - lo > 1) {
    int64_t mid = lo + (hi - lo) / 2;
    (ok(mid) ? lo : hi) = mid;
  }
  return lo;
}

Json change(const ModelInfo& m, const Setting& s, std::string what) {
  auto t = evaluate(m, s);
  if (!t) return nullptr;
  return Json{{"change", std::move(what)}, {"total_bytes_per_gpu", t->total()}, {"fits", t->fits()}};
}

Result<Setting> with_options(const ModelInfo& m, const Setting& base, const FitOptions& o) {
  std::vector<std::string> ignored;
  FitOptions x = o;
  x.context = base.context;
  if (x.dtype.empty()) x.dtype = base.dtype;
  return make_setting(m, x, ignored);
}

}  // namespace

int64_t max_context(const ModelInfo& m, const Setting& s) {
  int64_t hi = m.max_position > 0 ? std::min<int64_t>(m.max_position, kMaxContext) : kMaxContext;
  hi = std::max(hi, int64_t(1));
  return bisect(hi, [&](int64_t c) {
    Setting x = s;
    x.context = c;
    return fits(m, x);
  });
}

int64_t max_batch(const ModelInfo& m, const Setting& s) {
  return bisect(kMaxBatch, [&](int64_t b) {
    Setting x = s;
    x.batch = b;
    return fits(m, x);
  });
}

int gpus_needed(const ModelInfo& m, const Setting& s) {
  for (int n = 1; n <= kMaxGpus; ++n) {
    Setting x = s;
    x.gpus = n;
    if (s.o.engine == "vllm" && !s.o.train) {
      if (check_tp(m, "vllm", n)) continue;
      x.tp = n;
    }
    if (fits(m, x)) return n;
  }
  return 0;
}

Json suggestions(const ModelInfo& m, const Setting& s, const Terms& t) {
  Json out = Json::array();
  if (t.fits()) return out;
  auto add = [&](Json j) {
    if (!j.is_null() && j["fits"].get<bool>()) out.push_back(std::move(j));
  };
  const std::string& e = s.o.engine;
  if (!s.o.train) {
    // A smaller KV cache.
    if (e == "llama.cpp" && s.kv.name != "q8_0" && s.kv.den == 1 && s.o.flash_attn) {
      Setting x = s;
      x.kv = *kv_type("q8_0");
      x.o.cache_type_v = "q8_0";
      add(change(m, x, "--cache-type-k q8_0 --cache-type-v q8_0"));
    } else if (e != "llama.cpp" && s.kv.num > 1 && (e != "vllm" || s.gpu.gpu.fp8 || s.gpu.custom)) {
      Setting x = s;
      x.kv = *kv_type("fp8");
      add(change(m, x, "--kv-dtype fp8"));
    }
    // Lower-precision weights.
    if (s.quantization.empty() && m.checkpoint_format != "gguf") {
      std::string q = e == "llama.cpp" ? "gguf-q4_k_m" : e == "vllm" ? (s.gpu.gpu.fp8 ? "fp8" : "awq-4bit-g128")
                                                                     : "bnb-nf4";
      FitOptions o = s.o;
      o.quantization = q;
      if (auto x = with_options(m, s, o)) {
        x->batch = s.batch;
        add(change(m, *x, "--quantization " + q));
      }
    }
  } else {
    const TrainingOptions& tr = *s.o.train;
    auto train_change = [&](auto edit, std::string what) {
      Setting x = s;
      edit(*x.o.train);
      add(change(m, x, std::move(what)));
    };
    if (tr.method == "full") train_change([](TrainingOptions& o) { o.method = "lora"; }, "--train lora");
    if (tr.method == "lora") train_change([](TrainingOptions& o) { o.method = "qlora"; }, "--train qlora");
    if (!tr.grad_checkpointing)
      train_change([](TrainingOptions& o) { o.grad_checkpointing = true; }, "--grad-checkpointing");
    if (tr.optimizer == "adamw" && tr.method == "full")
      train_change([](TrainingOptions& o) { o.optimizer = "adamw-8bit"; }, "--optimizer adamw-8bit");
    if (s.gpus > 1 && tr.zero < 3 && !tr.fsdp)
      train_change([&](TrainingOptions& o) { o.zero = tr.zero + 1; }, fmt::format("--zero {}", tr.zero + 1));
    if (tr.zero >= 2 && tr.offload.empty())
      train_change([](TrainingOptions& o) { o.offload = "optimizer"; }, "--offload optimizer");
  }
  // A shorter context, a smaller batch, more GPUs.
  if (int64_t c = max_context(m, s); c > 0 && c < s.context) {
    Setting x = s;
    x.context = c;
    add(change(m, x, fmt::format("--context {}", c)));
  }
  if (s.batch > 1)
    if (int64_t b = max_batch(m, s); b > 0) {
      Setting x = s;
      x.batch = b;
      add(change(m, x, fmt::format("--batch {}", b)));
    }
  if (int n = gpus_needed(m, s); n > s.gpus) {
    Setting x = s;
    x.gpus = n;
    if (e == "vllm" && !s.o.train) x.tp = n;
    add(change(m, x, fmt::format("--gpus {}", n)));
  }
  return out;
}

Json curve(const ModelInfo& m, const Setting& s) {
  Json out = Json::array();
  int64_t top = std::max<int64_t>(m.max_position > 0 ? m.max_position : 131072, s.context);
  top = std::min<int64_t>(top, 1 << 20);
  std::vector<int64_t> points;
  for (int64_t c = 1024; c <= top; c *= 2) points.push_back(c);
  if (m.max_position > 0 && m.max_position <= (1 << 20)) points.push_back(m.max_position);
  points.push_back(s.context);
  std::sort(points.begin(), points.end());
  points.erase(std::unique(points.begin(), points.end()), points.end());
  for (int64_t c : points) {
    Setting x = s;
    x.context = c;
    if (auto t = evaluate(m, x)) out.push_back({{"context", c}, {"total_bytes_per_gpu", t->total()}});
  }
  return out;
}

}  // namespace memfit::fitdetail
