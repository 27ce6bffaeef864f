// Engine `hf`: transformers `generate` (and transformers training through training.h).
//   weights      as loaded, split by layers over the GPUs (device_map="auto")
//   kv_cache     the dynamic cache: every layer's K and V for batch x context (sliding layers: min(window, context);
//                MLA decompressed per head, as transformers caches it)
//   activations  the prefill peak: residual stream (2 b s h), the larger of the MLP (3 b s ffn) and the attention
//                projections (b s (heads + 2 kv_heads) head_dim; SDPA materialises no s x s matrix), in the weights'
//                dtype; plus the last position's logits over the vocabulary in fp32 and the processed scores
//                (2 b V 4; generate asks for logits_to_keep=1)
//   overhead     CUDA context 512 MiB + cuBLAS workspace 32 MiB per GPU
#include <fmt/format.h>

#include <algorithm>

#include "fit/engine.h"

namespace memfit::fitdetail {

namespace {
constexpr uint64_t kCudaContext = 512 * kMiB;
constexpr uint64_t kCublasWorkspace = 32 * kMiB;

int64_t head_dim_of(const ModelInfo& m) {
  for (const auto& l : m.kv.layers)
    if (l.kind == KvLayer::Kind::Full || l.kind == KvLayer::Kind::Sliding) return l.k_dim;
  return m.heads > 0 ? m.hidden / m.heads : 0;
}
int64_t kv_heads_of(const ModelInfo& m) {
  for (const auto& l : m.kv.layers)
    if (l.kind == KvLayer::Kind::Full || l.kind == KvLayer::Kind::Sliding) return l.kv_heads;
  return m.heads;
}
}  // namespace

uint64_t ceil_div(uint64_t a, uint64_t b) { return b == 0 ? 0 : a / b + (a % b != 0); }
uint64_t sat(long double v) { return v >= 18446744073709551615.0L ? UINT64_MAX : v <= 0 ? 0 : uint64_t(v); }

Result<Terms> hf_terms(const ModelInfo& m, const Setting& s) {
  Terms t;
  uint64_t g = uint64_t(s.gpus);
  t.weights = ceil_div(s.weights_total, g);
  t.kv_cache = ceil_div(kv_bytes(m.kv, s.context, s.batch, s.kv, 1, KvEngine::Hf), g);
  long double b = s.batch, sq = s.context, B = s.dtype_bytes;
  long double resid = 2 * b * sq * m.hidden * B;
  long double mlp = 3 * b * sq * m.ffn * B;
  long double attn = b * sq * (long double)(m.heads + 2 * kv_heads_of(m)) * head_dim_of(m) * B;
  long double logits = 2 * b * m.vocab * 4;
  t.activations = sat(resid + std::max(mlp, attn) + logits);
  t.overhead = kCudaContext + kCublasWorkspace;
  t.budget = s.gpu.gpu.usable_bytes;
  if (s.gpus > 1) t.assumptions.push_back(fmt::format("layers split over {} GPUs (device_map=\"auto\")", s.gpus));
  return t;
}

Result<Terms> training_eval(const ModelInfo& m, const Setting& s) {
  if (!m.built) return fail(ErrorKind::Unsupported, "training needs a model built from its config");
  TrainingOptions o = *s.o.train;
  o.batch = s.batch;
  o.seq_len = s.context;
  o.gpus = s.gpus;
  o.tp = s.tp;
  auto r = training_terms(*m.built, m.config, o);
  if (!r) return std::unexpected(r.error());
  Terms t;
  t.weights = r->weights;
  t.gradients = r->gradients;
  t.optimizer = r->optimizer;
  t.activations = r->activations + r->logits;
  t.overhead = kCudaContext + kCublasWorkspace;
  t.trainable = r->trainable_parameters;
  t.budget = s.gpu.gpu.usable_bytes;
  t.assumptions = r->assumptions;
  t.engine = {{"method", o.method},         {"optimizer", o.optimizer},   {"precision", o.precision},
              {"zero", o.zero},             {"offload", o.offload},       {"fsdp", o.fsdp},
              {"grad_checkpointing", o.grad_checkpointing},              {"attention", o.attention},
              {"lora_rank", o.lora_rank},   {"lora_modules", r->lora_modules},
              {"logits_bytes", r->logits},  {"cpu_bytes", r->cpu_bytes}};
  return t;
}

}  // namespace memfit::fitdetail
