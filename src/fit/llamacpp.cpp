// Engine `llama.cpp`: what llama.cpp allocates on a GPU (llama-model / llama-kv-cache / llama-context), re-expressed:
//   weights   -ngl N offloads the last N of the n_layer + 1 "layers", the output layer first
//             (i_gpu_start = max(n_layer + 1 - N, 0)); token_embd stays on the CPU; a tied output loads token_embd
//             a second time; layers split evenly over --gpus
//   kv_cache  per offloaded layer: K = kv_heads x key_length x cells in --cache-type-k, V likewise; cells =
//             ctx x batch padded to 256; sliding-window layers keep min(cells, pad(window x n_seq + ubatch, 256));
//             recurrent layers one state per sequence
//   compute   per GPU holding the output: logits ubatch x vocab x 4, the attention scratch (flash attention:
//             f16 mask ubatch x cells + Q/K/V rows in fp32; without: KQ and softmax(KQ), 2 x ubatch x cells x
//             heads x 4) or the FFN scratch (3 x ubatch x ffn x 4), whichever is larger, and the input rows
//   overhead  450 MiB of CUDA context and driver (the "unaccounted" of llama.cpp's memory breakdown)
// With -ngl unset it chooses, as `--fit` does, the largest -ngl leaving 1024 MiB free per GPU.
#include <fmt/format.h>

#include <algorithm>

#include "fit/engine.h"

namespace memfit::fitdetail {

namespace {

constexpr uint64_t kContext = 450 * kMiB;
constexpr uint64_t kFitTarget = 1024 * kMiB;

int64_t pad(int64_t v, int64_t to) { return (v + to - 1) / to * to; }

struct Offload {
  int ngl = 0;
  Terms t;
};

Terms at_ngl(const ModelInfo& m, const Setting& s, int ngl, const KvType& kt, const KvType& vt, Json& info) {
  const FitOptions& o = s.o;
  int64_t nl = int64_t(m.kv.layers.empty() ? m.n_layers : int64_t(m.kv.layers.size()));
  // Bytes per block: the GGUF's own, else the config's weights spread evenly.
  std::vector<uint64_t> layer = m.layer_bytes;
  uint64_t embed = m.embed_bytes, output = m.output_bytes;
  if (layer.empty()) {
    double per_param = m.parameters > 0 ? double(s.weights_total) / double(m.parameters) : 2.0;
    embed = uint64_t(double(m.vocab) * double(m.hidden) * per_param);
    output = embed;
    uint64_t body = s.weights_total > embed + (m.tied_embeddings ? 0 : output)
                        ? s.weights_total - embed - (m.tied_embeddings ? 0 : output)
                        : 0;
    layer.assign(size_t(nl), nl > 0 ? body / uint64_t(nl) : 0);
  }
  int64_t start = std::max<int64_t>(nl + 1 - ngl, 0);
  bool output_on_gpu = ngl >= 1;
  uint64_t gpu_w = output_on_gpu ? output : 0, cpu_w = embed + (output_on_gpu ? 0 : output);
  int64_t n_seq = s.batch, cells = pad(s.context * s.batch, 256);
  int64_t ub = std::min<int64_t>(o.ubatch, cells);
  int64_t swa_cells = 0;
  uint64_t kv = 0;
  for (int64_t i = 0; i < nl; ++i) {
    uint64_t b = size_t(i) < layer.size() ? layer[size_t(i)] : 0;
    bool on = i >= start;
    (on ? gpu_w : cpu_w) += b;
    if (!on || size_t(i) >= m.kv.layers.size()) continue;
    const KvLayer& x = m.kv.layers[size_t(i)];
    int64_t c = cells;
    if (x.kind == KvLayer::Kind::Sliding) c = swa_cells = std::min(cells, pad(x.window * n_seq + ub, 256));
    long double add = 0;
    if (x.kind == KvLayer::Kind::Mla) {
      add = (long double)x.k_dim * c * kt.num / kt.den;
    } else if (x.kind == KvLayer::Kind::Full || x.kind == KvLayer::Kind::Sliding) {
      add = (long double)x.kv_heads * x.k_dim * c * kt.num / kt.den + (long double)x.kv_heads * x.v_dim * c * vt.num / vt.den;
    } else if (x.kind == KvLayer::Kind::Recurrent) {
      add = (long double)x.state_bytes * n_seq;
    }
    kv = sat((long double)kv + add);
  }
  int64_t hd = m.heads > 0 ? m.hidden / m.heads : 0, kvh = m.heads;
  for (const auto& x : m.kv.layers)
    if (x.kind == KvLayer::Kind::Full || x.kind == KvLayer::Kind::Sliding) {
      hd = x.k_dim, kvh = x.kv_heads;
      break;
    }
  long double U = ub, C = cells;
  long double attn = o.flash_attn ? U * C * 2 + U * (long double)(m.heads + 2 * kvh) * hd * 4
                                  : 2 * U * C * m.heads * 4 + U * C * 4;
  long double ffn = 3 * U * m.ffn * 4;
  long double logits = output_on_gpu ? U * m.vocab * 4 : 0;
  uint64_t compute = ngl > 0 ? sat(std::max(attn, ffn) + logits + 2 * U * m.hidden * 4) : 0;
  uint64_t g = uint64_t(std::max(1, s.gpus));
  Terms t;
  t.weights = ceil_div(gpu_w, g);
  t.kv_cache = ceil_div(kv, g);
  t.activations = compute;
  t.overhead = kContext;
  t.budget = s.gpu.gpu.usable_bytes;
  info = {{"n_gpu_layers", ngl},
          {"n_layers_total", nl + 1},
          {"fully_offloaded", ngl >= nl + 1},
          {"output_on_gpu", output_on_gpu},
          {"gpu_weights_bytes", gpu_w},
          {"cpu_weights_bytes", cpu_w},
          {"kv_cells", cells},
          {"swa_cells", swa_cells},
          {"kv_bytes", kv},
          {"compute_buffer_bytes", compute},
          {"host_output_buffer_bytes", uint64_t(m.vocab) * uint64_t(n_seq) * 4},
          {"fit_target_bytes", kFitTarget},
          {"flash_attn", o.flash_attn},
          {"ubatch", ub},
          {"cache_type_k", kt.name},
          {"cache_type_v", vt.name}};
  return t;
}

}  // namespace

Result<Terms> llamacpp_terms(const ModelInfo& m, const Setting& s) {
  const FitOptions& o = s.o;
  KvType kt = s.kv, vt = s.kv;
  if (!o.cache_type_v.empty()) {
    auto v = kv_type(o.cache_type_v);
    if (!v) return std::unexpected(v.error());
    vt = *v;
  }
  if (!o.flash_attn && vt.den != 1)
    return fail(ErrorKind::Usage, "llama.cpp: a quantized V cache needs flash attention (drop --no-flash-attn)");
  int nl = int(m.kv.layers.empty() ? m.n_layers : int64_t(m.kv.layers.size()));
  std::vector<std::string> as{fmt::format("llama.cpp: -ub {}, flash attention {}, -c {} (context x batch) with "
                                          "--parallel {}", o.ubatch, o.flash_attn ? "on" : "off",
                                          s.context * s.batch, s.batch)};
  Json info;
  if (o.n_gpu_layers >= 0) {
    Terms t = at_ngl(m, s, std::min(o.n_gpu_layers, nl + 1), kt, vt, info);
    t.engine = info;
    t.assumptions = as;
    return t;
  }
  // --fit: the most layers that leave the fit target free.
  for (int ngl = nl + 1; ngl >= 0; --ngl) {
    Terms t = at_ngl(m, s, ngl, kt, vt, info);
    if (t.total() + kFitTarget <= t.budget || ngl == 0) {
      t.ok = ngl == nl + 1;  // "fits" means the whole model on the GPU(s)
      t.engine = info;
      t.assumptions = as;
      if (ngl < nl + 1)
        t.assumptions.push_back(fmt::format("-ngl {} of {}: the rest runs on the CPU (as --fit would choose)", ngl,
                                            nl + 1));
      return t;
    }
  }
  return fail(ErrorKind::Internal, "unreachable");
}

}  // namespace memfit::fitdetail
