// X-Codec 2: transformers' modeling_xcodec2.py. A w2v-BERT semantic encoder (AutoModel of semantic_model_config) and
// a conv semantic adapter, a DAC-style acoustic encoder whose Snake activations are anti-aliased SnakeBeta (alpha,
// beta; up/down-sampling kaiser filters [1, 1, 12] as non-persistent buffers), fc_encoder, a single-codebook finite
// scalar quantizer (levels / basis int32 and the full codebook as non-persistent buffers) between project_in/out, and
// a Vocos-style decoder: fc, embed conv, GroupNorm ResNet prior/post nets around Llama-style transformer layers
// (RMSNorm, rotary, bias-free fc1/fc2 MLP), a LayerNorm and an ISTFT head (Linear to n_fft + 2, a Hann window buffer).
#include <algorithm>

#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/dac.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::string kXc2 = "Xcodec2";

// Xcodec2AntiAliasedActivation1d(Xcodec2SnakeBeta(d)): act (alpha, beta), upsample / downsample filters.
ModulePtr snake_beta(int64_t d) {
  auto beta = make(kXc2 + "SnakeBeta");
  beta->param("alpha", {d}).param("beta", {d});
  auto up = make(kXc2 + "UpSample1d");
  up->buffer("filter", {1, 1, 12}, DType::F32, false);
  auto down = make(kXc2 + "DownSample1d");
  down->buffer("filter", {1, 1, 12}, DType::F32, false);
  auto m = make(kXc2 + "AntiAliasedActivation1d");
  m->add("act", beta);
  m->add("upsample", up);
  m->add("downsample", down);
  return m;
}

ModulePtr decoder(const Config& c, int64_t sem) {
  int64_t h = media::dim(c, "hidden_size", 1024), heads = media::dim(c, "num_attention_heads", 16);
  int64_t kv = media::dim(c, "num_key_value_heads", heads);
  int64_t head_dim = c.has("head_dim") ? media::dim(c, "head_dim", 64) : h / heads;
  int64_t inter = media::dim(c, "intermediate_size", 4096);
  bool bias = c.b("attention_bias", false);
  auto res = make(kXc2 + "ResNetBlock");
  res->add("norm1", layer_norm(h, true, "GroupNorm"));
  res->add("activation1", leaf("SiLU"));
  res->add("conv1", media::conv1d(h, h, 3));
  res->add("norm2", layer_norm(h, true, "GroupNorm"));
  res->add("activation2", leaf("SiLU"));
  res->add("conv2", media::conv1d(h, h, 3));
  auto mlp = make(kXc2 + "MLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "silu"))));
  mlp->add("fc1", linear(h, inter, false));
  mlp->add("fc2", linear(inter, h, false));
  auto l = make(kXc2 + "DecoderLayer");
  l->add("self_attn", qkvo_attention(kXc2 + "Attention", {h, heads, kv, head_dim, bias, bias}));
  l->add("mlp", mlp);
  l->add("input_layernorm", rms_norm(kXc2 + "RMSNorm", h));
  l->add("post_attention_layernorm", rms_norm(kXc2 + "RMSNorm", h));
  // n_fft = 4 * hop_length, hop_length = prod(downsampling_ratios).
  int64_t hop = 1;
  for (int64_t r : media::dims(c, "downsampling_ratios", {2, 2, 4, 4, 5})) hop = std::min(hop * r, media::kMaxDim);
  auto head = make(kXc2 + "ISTFTHead");
  head->add("linear", linear(h, 4 * hop + 2));
  head->buffer("window", {4 * hop}, DType::F32, false);
  auto m = make(kXc2 + "Decoder");
  m->add("fc", linear(h + sem, h));
  m->add("embed", media::conv1d(h, h, 7));
  m->add("prior_net", repeat(res, 2));
  m->add("rotary_emb", rotary(kXc2 + "RotaryEmbedding", head_dim));
  m->add("layers", repeat(l, media::count(c, "num_hidden_layers", 12)));
  m->add("post_net", repeat(res, 2));
  m->add("norm", layer_norm(h));
  m->add("head", head);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != kXc2 + "Model") heads::unsupported(cls);
  Config sc = c.sub("semantic_model_config");
  int64_t h = media::dim(c, "hidden_size", 1024), sem = media::dim(sc, "hidden_size", 1024);
  int64_t qdim = media::dim(c, "quantization_dim", 2048);
  auto levels = media::dims(c, "quantization_levels", {4, 4, 4, 4, 4, 4, 4, 4});
  int64_t n = static_cast<int64_t>(levels.size()), books = 1;
  for (int64_t v : levels) {
    books *= v;
    media::require(c, books <= media::kMaxDim, "quantization_levels give too large a codebook");
  }
  Model semantic = auto_model(sc);
  auto adapter = make(kXc2 + "SemanticAdapter");
  adapter->add("conv1", media::conv1d(sem, sem, 3, false));
  adapter->add("act1", leaf("ReLU"));
  adapter->add("conv2", media::conv1d(sem, sem, 3));
  adapter->add("act2", leaf("ReLU"));
  adapter->add("conv3", media::conv1d(sem, sem, 3));
  adapter->add("conv4", media::conv1d(sem, sem, 3, false));
  auto fsq = make(kXc2 + "FiniteScalarQuantization");
  fsq->buffer("levels", {n}, DType::I32, false).buffer("basis", {n}, DType::I32, false);
  fsq->buffer("codebook", {books, n}, DType::F32, false);
  auto q = make(kXc2 + "Quantizer");
  q->add("quantizer", fsq);
  q->add("project_in", linear(qdim, n));
  q->add("project_out", linear(n, qdim));
  auto m = make(kXc2 + "Model");
  m->add("semantic_encoder", semantic.root);
  m->add("semantic_adapter", adapter);
  m->add("acoustic_encoder", dac::encoder(c, kXc2, snake_beta));
  m->add("fc_encoder", linear(h + sem, h + sem));
  m->add("quantizer", q);
  m->add("acoustic_decoder", decoder(c, sem));
  return {m, semantic.no_split};
}

MEMFIT_FAMILY({"xcodec2"}, "Xcodec2", build);

}  // namespace
}  // namespace memfit
