// Inkling: transformers' modeling_inkling.py InklingModel (inkling_mm_model). The language model (embed_tokens,
// layers, norm, embed_norm; no rotary table): each layer holds attention (q/k/v, a relative-logit r_proj, o, short
// depth-wise convolutions over k and v, per-head q/k RMSNorms and a [d_rel, extent] relative-logit bank; sliding
// layers use the swa_* shapes and the window as extent), an MLP or an MoE (router with shared-expert logits,
// fused routed experts, stacked shared experts), two RMSNorms and two short convolutions. The audio tower embeds
// num_codebooks * codebook_size tokens; the vision tower is an HMLP: Linear projections between the (t, h, w, c)
// scales plan_out_scales picks (each but the last followed by an RMSNorm), then a final RMSNorm.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr norm(int64_t d) { return rms_norm("InklingRMSNorm", d); }

ModulePtr short_conv(int64_t ch, int64_t k) {
  auto m = make("InklingShortConvolution");
  m->add("conv1d", make("Conv1d"))->param("weight", {ch, 1, k});
  return m;
}

std::vector<std::string> strings_or(const Config& c, const char* key, std::vector<std::string> def) {
  auto v = c.strings(key);
  return v.empty() ? def : v;
}

ModulePtr attention(const Config& c, int64_t h, bool sliding) {
  std::string p = sliding ? "swa_" : "";
  int64_t heads = media::dim(c, p + "num_attention_heads", 64), kv = media::dim(c, p + "num_key_value_heads", 8);
  int64_t hd = media::dim(c, p + "head_dim", 128), rel = media::dim(c, "d_rel", 16);
  int64_t extent = sliding ? media::dim(c, "sliding_window_size", 512) : media::dim(c, "rel_extent", 1024);
  int64_t k = media::dim(c, "conv_kernel_size", 4);
  auto bank = make("InklingRelativeLogits");
  bank->param("proj", {rel, extent});
  auto a = make("InklingAttention");
  a->add("q_proj", linear(h, heads * hd, false));
  a->add("k_proj", linear(h, kv * hd, false));
  a->add("v_proj", linear(h, kv * hd, false));
  a->add("r_proj", linear(h, heads * rel, false));
  a->add("o_proj", linear(heads * hd, h, false));
  a->add("k_sconv", short_conv(kv * hd, k));
  a->add("v_sconv", short_conv(kv * hd, k));
  a->add("q_norm", norm(hd));
  a->add("k_norm", norm(hd));
  a->add("rel_logits_proj", bank);
  return a;
}

ModulePtr mlp(const Config& c, int64_t h, bool sparse) {
  std::string act = act_class(c.s("hidden_act", "silu"));
  if (!sparse) {
    auto m = gated_mlp("InklingMLP", h, media::dim(c, "intermediate_size", 24576), false, act);
    m->param("global_scale", {1});
    return m;
  }
  int64_t e = media::count(c, "n_routed_experts", 256), s = media::count(c, "n_shared_experts", 2);
  int64_t inter = media::dim(c, "moe_intermediate_size", 3072);
  auto gate = make("InklingTopkRouter");
  gate->param("weight", {e + s, h}).param("global_scale", {1}).param("e_score_correction_bias", {e});
  auto experts = make("InklingExperts");
  experts->param("gate_up_proj", {e, 2 * inter, h}).param("down_proj", {e, h, inter});
  experts->add("act_fn", leaf(act));
  auto shared = make("InklingSharedExperts");
  shared->param("gate_proj", {s, inter, h}).param("up_proj", {s, inter, h}).param("down_proj", {s, h, inter});
  shared->add("act_fn", leaf(act));
  auto m = make("InklingMoE");
  m->add("gate", gate);
  m->add("experts", experts);
  m->add("shared_experts", shared);
  return m;
}

ModulePtr text_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 6144), n = media::count(c, "num_hidden_layers", 66);
  int64_t k = media::dim(c, "conv_kernel_size", 4);
  std::vector<std::string> types, mlps;
  for (int64_t i = 0; i < n; ++i) {
    types.push_back((i + 1) % 6 ? "hybrid_sliding" : "hybrid");
    mlps.push_back("sparse");
  }
  types = strings_or(c, "layer_types", types);
  mlps = strings_or(c, "mlp_layer_types", mlps);
  media::require(c, static_cast<int64_t>(types.size()) >= n && static_cast<int64_t>(mlps.size()) >= n,
                 "layer_types / mlp_layer_types shorter than num_hidden_layers");
  ModulePtr variants[2][2];
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) {
    bool sliding = types[i] == "hybrid_sliding", sparse = mlps[i] == "sparse";
    auto& l = variants[sliding][sparse];
    if (!l) {
      l = make("InklingDecoderLayer");
      l->add("self_attn", attention(c, h, sliding));
      l->add("mlp", mlp(c, h, sparse));
      l->add("input_layernorm", norm(h));
      l->add("post_attention_layernorm", norm(h));
      l->add("attn_sconv", short_conv(h, k));
      l->add("mlp_sconv", short_conv(h, k));
    }
    layers.push_back(l);
  }
  auto m = make("InklingTextModel");
  m->add("embed_tokens", embedding(media::dim(c, "vocab_size", 201024), h));
  m->add("layers", module_list(layers));
  m->add("norm", norm(h));
  m->add("embed_norm", norm(h));
  return m;
}

std::vector<int64_t> prime_factors(int64_t n) {
  std::vector<int64_t> f;
  for (; n % 2 == 0; n /= 2) f.push_back(2);
  for (int64_t p = 3, root = static_cast<int64_t>(std::sqrt(static_cast<double>(n))) + 1; p <= root; p += 2)
    for (; n % p == 0; n /= p) f.push_back(p);
  if (n > 1) f.push_back(n);
  return f;
}

// Rows r (in order) to distinct columns minimising the summed cost: scipy's linear_sum_assignment for r <= cols.
std::vector<size_t> assign(const std::vector<std::vector<double>>& cost, size_t cols) {
  size_t rows = cost.size(), full = size_t{1} << cols;
  std::vector<double> best(full, std::numeric_limits<double>::infinity());
  std::vector<std::vector<size_t>> pick(rows, std::vector<size_t>(full, 0));
  best[0] = 0;
  for (size_t r = 0; r < rows; ++r) {
    std::vector<double> next(full, std::numeric_limits<double>::infinity());
    for (size_t mask = 0; mask < full; ++mask) {
      if (std::isinf(best[mask])) continue;
      for (size_t j = 0; j < cols; ++j) {
        if (mask >> j & 1) continue;
        double v = best[mask] + cost[r][j];
        if (v < next[mask | size_t{1} << j]) next[mask | size_t{1} << j] = v, pick[r][mask | size_t{1} << j] = j;
      }
    }
    best = std::move(next);
  }
  size_t mask = static_cast<size_t>(std::min_element(best.begin(), best.end()) - best.begin());
  std::vector<size_t> out(rows);
  for (size_t r = rows; r-- > 0;) {
    out[r] = pick[r][mask];
    mask &= ~(size_t{1} << out[r]);
  }
  return out;
}

ModulePtr vision_model(const Config& v, int64_t text) {
  int64_t patch = media::dim(v, "patch_size", 40), tp = media::dim(v, "temporal_patch_size", 2);
  int64_t ch = media::dim(v, "num_channels", 3);
  int64_t n = v.has("n_layers") ? media::dim(v, "n_layers", 24) : media::dim(v, "num_hidden_layers", 24);
  media::require(v, patch > 1 && patch <= 4096 && tp <= 4096 && n <= media::kMaxCount, "patch sizes out of range");
  // The scales (t, h, w, c): the input, the spatial ones (h = cumulative products of patch_size's prime factors,
  // largest first; c rounded up to 64), the temporal ones (c = ceil(h^2 * C * t) * 64, as transformers computes it).
  std::vector<std::array<int64_t, 4>> scales{{1, 1, 1, ch}};
  int64_t hw = 1;
  auto hf = prime_factors(patch);
  for (auto it = hf.rbegin(); it != hf.rend(); ++it) {
    hw *= *it;
    scales.push_back({1, hw, hw, (hw * hw * ch + 63) / 64 * 64});
  }
  int64_t t = 1;
  auto tf = prime_factors(tp);
  for (auto it = tf.rbegin(); it != tf.rend(); ++it) {
    t *= *it;
    scales.push_back({t, hw, hw, hw * hw * ch * t * 64});
  }
  for (auto& s : scales) media::require(v, s[3] <= media::kMaxDim, "vision scale channels too large");
  double top = std::log(static_cast<double>(patch * patch * tp * ch));
  std::vector<std::vector<double>> cost(static_cast<size_t>(n) + 1);
  for (int64_t i = 0; i <= n; ++i)
    for (auto& s : scales) {
      double ideal = n == 0 ? 0 : top * static_cast<double>(i) / static_cast<double>(n);
      cost[i].push_back(std::abs(ideal - std::log(static_cast<double>(s[0] * s[1] * s[2]))));
    }
  std::vector<size_t> idx;
  if (static_cast<size_t>(n) >= scales.size()) {
    for (auto& row : cost) idx.push_back(static_cast<size_t>(std::min_element(row.begin(), row.end()) - row.begin()));
  } else {
    media::require(v, scales.size() <= 16, "too many vision scales for the layer assignment");
    idx = assign(cost, scales.size());
  }
  idx.front() = 0;
  idx.back() = scales.size() - 1;
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < n; ++i) {
    const auto &a = scales[idx[i]], &b = scales[idx[i + 1]];
    int64_t shuffle = (b[0] / a[0]) * (b[1] / a[1]) * (b[2] / a[2]);
    bool last = i == n - 1;
    int64_t out = last ? text : b[3];
    media::require(v, a[3] * shuffle <= media::kMaxDim, "vision projection too large");
    auto l = make("InklingVisionEncoderLayer");
    l->add("projection", linear(a[3] * shuffle, out, false));
    if (!last) l->add("layer_norm", norm(out));
    layers.push_back(l);
  }
  auto m = make("InklingVisionModel");
  m->add("encoder_layers", module_list(layers));
  m->add("final_norm", norm(text));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "inkling_text"}}, "inkling_text");
  SubConfig ac = sub_config(c, "audio_config", {{"model_type", "inkling_audio"}}, "inkling_audio");
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "inkling_vision"}}, "inkling_vision");
  int64_t h = media::dim(tc.c, "hidden_size", 6144);
  int64_t books = media::dim(ac.c, "n_mel_bins", 80), size = media::dim(ac.c, "mel_vocab_size", 256);
  media::require(ac.c, books * size <= media::kMaxDim, "n_mel_bins * mel_vocab_size too large");
  auto emb = make("InklingAudioModelEmbeddings");
  emb->add("embed_audio_tokens", embedding(books * size, h));
  emb->buffer("audio_tokens_offsets", {books}, DType::I64, false);
  auto audio = make("InklingAudioModel");
  audio->add("embed_audio_tokens", emb);
  audio->add("norm", norm(h));
  auto m = make("InklingModel");
  m->add("language_model", text_model(tc.c));
  m->add("audio_tower", audio);
  m->add("vision_tower", vision_model(vc.c, h));
  Model base{m, {"InklingDecoderLayer"}};
  if (cls == "InklingModel") return base;
  if (cls != "InklingForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, h, media::dim(tc.c, "vocab_size", 201024), false);
}

MEMFIT_FAMILY({"inkling_mm_model"}, "Inkling", build);

}  // namespace
}  // namespace memfit
