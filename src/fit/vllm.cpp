// Engine `vllm`: vLLM's start-up accounting (v1 worker, gpu_worker.determine_available_memory and
// core/kv_cache_utils), re-expressed:
//   requested     = ceil(gpu_memory_utilization x total GPU memory)
//   available_kv  = requested - weights - activation peak of the profile run - non-torch memory
//   page (layer)  = block_size x KV heads per rank x (k_dim + v_dim) x KV dtype bytes (MLA: the latent, no x2)
//   num_blocks    = available_kv // (page x layers per KV tensor); "GPU KV cache size" = num_blocks // groups x 16
//   start-up fails when available_kv <= 0 or when one max_model_len request needs more than available_kv
//   (full layers: cdiv(len, 16) pages; sliding layers: cdiv(min(window - 1 + max_num_batched_tokens, len), 16) + 1).
// The activation peak of the profile run is the sampler's dummy run over max_num_seqs rows of logits
// (39 bytes per row x vocabulary entry: fp32 logits, the top-k/top-p sort's values and int64 indices, probabilities
// and log-probabilities) or the forward pass over max_num_batched_tokens tokens, whichever is larger; non-torch
// memory (NCCL, cuBLAS) is 0.13 GiB at TP 1 and 0.54 GiB above. The constants are fitted to llm-d's H100 logs
// (see bench/fit_accuracy and the README).
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "fit/engine.h"
#include "tree/measure.h"

namespace memfit::fitdetail {

namespace {

constexpr int64_t kBlock = 16;
constexpr uint64_t kSamplerBytesPerLogit = 39;

std::string commas(uint64_t v) {
  std::string s = std::to_string(v), r;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0 && (s.size() - i) % 3 == 0) r += ',';
    r += s[i];
  }
  return r;
}

int64_t cdiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct Layout {
  uint64_t page_full = 0, page_swa = 0;  // bytes per block, summed over the layers of each kind
  uint64_t page_one = 0;                 // one layer's page (largest)
  int64_t nf = 0, ns = 0, nr = 0, window = 0;
  uint64_t state = 0;
};

Layout layout(const ModelInfo& m, const Setting& s) {
  Layout l;
  for (const auto& x : m.kv.layers) {
    uint64_t page = layer_token_bytes(x, s.kv, s.tp, KvEngine::Vllm) * kBlock;
    l.page_one = std::max(l.page_one, page);
    if (x.kind == KvLayer::Kind::Full || x.kind == KvLayer::Kind::Mla) ++l.nf, l.page_full += page;
    else if (x.kind == KvLayer::Kind::Sliding) ++l.ns, l.page_swa += page, l.window = std::max(l.window, x.window);
    else if (x.kind == KvLayer::Kind::Recurrent) ++l.nr, l.state += x.state_bytes;
  }
  return l;
}

// KV bytes one request of `len` tokens reserves (vLLM's max_memory_usage_bytes summed over layers).
uint64_t needed(const Layout& l, int64_t len, int64_t mnbt) {
  long double full = (long double)cdiv(len, kBlock) * l.page_full;
  long double swa = 0;
  if (l.ns > 0) swa = (long double)(cdiv(std::min(l.window - 1 + mnbt, len), kBlock) + 1) * l.page_swa;
  return sat(full + swa + l.state);
}

}  // namespace

Result<Terms> vllm_terms(const ModelInfo& m, const Setting& s) {
  Terms t;
  const FitOptions& o = s.o;
  // vLLM's get_batch_defaults: 70 GiB+ GPUs other than the A100 get the larger `vllm serve` defaults.
  std::string lname = s.gpu.gpu.name;
  for (auto& c : lname) c = char(std::tolower(static_cast<unsigned char>(c)));
  bool big = s.gpu.gpu.usable_bytes >= 70 * kGiB && lname.find("a100") == std::string::npos;
  int64_t mnbt = o.max_num_batched_tokens > 0 ? o.max_num_batched_tokens : (big ? 8192 : 2048);
  int64_t mns = o.max_num_seqs > 0 ? o.max_num_seqs : (big ? 1024 : 256);
  if (o.gpu_memory_utilization == 0.9) t.assumptions.push_back("--gpu-memory-utilization 0.9 (vLLM's default)");
  if (o.max_num_batched_tokens == 0)
    t.assumptions.push_back(fmt::format("vLLM defaults for `vllm serve` on a {}GPU: --max-num-batched-tokens {}, "
                                        "--max-num-seqs {}", big ? "70 GiB+ " : "", mnbt, mns));
  // Weights per rank: 1-D tensors (norms, biases) replicated, the rest split over tp.
  uint64_t rep = 0, all = 0;
  if (m.built)
    for_each_tensor(*m.built->model.root, [&](const TensorVisit& v) {
      if (v.is_buffer) return;
      all += v.tensor.numel();
      if (v.tensor.shape.size() <= 1) rep += v.tensor.numel();
    });
  double rep_share = all > 0 ? double(rep) / double(all) : 0;
  t.weights = uint64_t(double(s.weights_total) * (rep_share + (1 - rep_share) / double(s.tp)));
  uint64_t B = uint64_t(s.dtype_bytes);
  uint64_t sampler = sat((long double)mns * m.vocab * kSamplerBytesPerLogit);
  uint64_t forward = sat((long double)mnbt * (4.0L * m.hidden * B + 3.0L * m.ffn * B / s.tp));
  t.activations = std::max(sampler, forward);
  t.overhead = s.tp > 1 ? uint64_t(0.54 * double(kGiB)) : uint64_t(0.13 * double(kGiB));
  double util = o.gpu_memory_utilization;
  t.budget = uint64_t(std::ceil(double(s.gpu.gpu.usable_bytes) * util));
  uint64_t used = sat((long double)t.weights + t.activations + t.overhead);
  int64_t avail = used >= t.budget ? -int64_t(std::min<uint64_t>(used - t.budget, INT64_MAX)) : int64_t(t.budget - used);
  Layout l = layout(m, s);
  int64_t len = s.context;
  uint64_t one = needed(l, len, mnbt);
  t.kv_cache = sat((long double)one * s.batch);
  // Blocks and the capacity vLLM logs.
  uint64_t num_blocks = 0, tokens = 0;
  double concurrency = 0;
  if (avail > 0 && l.page_one > 0) {
    if (l.ns == 0 && l.nr == 0) {
      num_blocks = uint64_t(avail) / l.page_full;
      tokens = num_blocks * kBlock;
      concurrency = double(num_blocks) / double(cdiv(len, kBlock));
    } else if (l.nr == 0) {
      int64_t gs = l.nf > 0 ? std::min(l.nf, l.ns) : l.ns;
      int64_t gf = l.nf > 0 ? cdiv(l.nf, gs) : 0, gw = cdiv(l.ns, gs);
      num_blocks = uint64_t(avail) / (l.page_one * uint64_t(gs));
      tokens = num_blocks / uint64_t(gf + gw) * kBlock;
      int64_t per_req = gf * cdiv(len, kBlock) + gw * (cdiv(std::min(l.window - 1 + mnbt, len), kBlock) + 1);
      concurrency = double(num_blocks) / double(per_req);
    } else {  // recurrent hybrids: attention tokens from what is left; each request also holds its state
      uint64_t per_token = l.page_full / kBlock + l.page_swa / kBlock;
      tokens = per_token > 0 ? uint64_t(avail) / per_token : 0;
      concurrency = double(avail) / double(std::max<uint64_t>(1, one));
      t.assumptions.push_back("vLLM hybrid (recurrent) KV groups approximated: state pages not padded");
    }
  }
  bool starts = avail > 0 && one <= uint64_t(std::max<int64_t>(avail, 0));
  int64_t lo = 0, hi = std::max<int64_t>(m.max_position, len);
  if (avail > 0) {
    while (lo < hi) {  // largest max_model_len whose one request fits (vLLM's estimate_max_model_len)
      int64_t mid = lo + (hi - lo + 1) / 2;
      if (needed(l, mid, mnbt) <= uint64_t(avail)) lo = mid;
      else hi = mid - 1;
    }
  }
  std::string error;
  if (avail <= 0)
    error = fmt::format("no memory left for the KV cache: weights {} + activation peak {} + non-torch {} exceed "
                        "{} x {} = {}; raise --gpu-memory-utilization or use more GPUs",
                        gib(t.weights), gib(t.activations), gib(t.overhead), util, gib(s.gpu.gpu.usable_bytes),
                        gib(t.budget));
  else if (!starts)
    error = fmt::format("to serve one request of max seq len {}, {} of KV cache is needed, more than the {} "
                        "available; the estimated maximum model length is {}",
                        len, gib(one), gib(uint64_t(avail)), lo);
  t.ok = starts;
  Json lines = Json::array();
  lines.push_back(fmt::format("Available KV cache memory: {:.2f} GiB", double(avail) / double(kGiB)));
  if (avail > 0) {
    lines.push_back(fmt::format("GPU KV cache size: {} tokens", commas(tokens)));
    lines.push_back(fmt::format("Maximum concurrency for {} tokens per request: {:.2f}x", commas(uint64_t(len)),
                                concurrency));
  }
  t.engine = {{"requested_bytes", t.budget},
              {"gpu_memory_utilization", util},
              {"weights_bytes", t.weights},
              {"activation_peak_bytes", t.activations},
              {"non_torch_bytes", t.overhead},
              {"available_kv_bytes", avail},
              {"kv_tokens", tokens},
              {"num_blocks", num_blocks},
              {"block_size", kBlock},
              {"max_model_len", len},
              {"max_concurrency", std::floor(concurrency * 100) / 100},
              {"starts", starts},
              {"max_model_len_that_starts", lo},
              {"max_num_batched_tokens", mnbt},
              {"max_num_seqs", mns},
              {"tensor_parallel_size", s.tp},
              {"log", lines},
              {"error", error}};
  return t;
}

}  // namespace memfit::fitdetail
