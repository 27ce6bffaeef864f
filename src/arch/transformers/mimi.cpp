// Mimi: transformers' modeling_mimi.py. EnCodec's SEANet encoder/decoder (plain MimiConv1d, no LSTM), a causal
// transformer after the encoder and before the decoder (LayerNorm, rotary, bias-free projections, per-branch
// LayerScale), a strided down/upsampling conv when the model's frame rate differs from the SEANet's, and a split
// residual vector quantizer (semantic + acoustic codebooks as buffers, 1x1 in/out projections).
#include <cmath>

#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/audio_codec.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/seanet.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// MimiConv1d (stride / kernel_size / padding_total as int64 scalar buffers) or MimiConvTranspose1d.
ModulePtr conv(int64_t in, int64_t out, int64_t k, bool transpose, bool bias = true, int64_t groups = 1) {
  auto m = make(transpose ? "MimiConvTranspose1d" : "MimiConv1d");
  m->add("conv", transpose ? audio::conv_transpose1d(in, out, k, bias, groups) : media::conv1d(in, out, k, bias, groups));
  if (!transpose)
    for (const char* b : {"stride", "kernel_size", "padding_total"}) m->buffer(b, {}, DType::I64, false);
  return m;
}

ModulePtr transformer(const Config& c, int64_t h) {
  int64_t heads = media::dim(c, "num_attention_heads", 8), kv = media::dim(c, "num_key_value_heads", heads);
  int64_t head_dim = c.has("head_dim") ? media::dim(c, "head_dim", 64) : h / heads;
  int64_t inter = media::dim(c, "intermediate_size", 2048);
  auto scale = make("MimiLayerScale");
  scale->param("scale", {h});
  auto mlp = make("MimiMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc1", linear(h, inter, false));
  mlp->add("fc2", linear(inter, h, false));
  auto l = make("MimiTransformerLayer");
  bool bias = c.b("attention_bias", false);
  l->add("self_attn", qkvo_attention("MimiAttention", {h, heads, kv, head_dim, bias, bias}));
  l->add("mlp", mlp);
  l->add("input_layernorm", layer_norm(h));
  l->add("post_attention_layernorm", layer_norm(h));
  l->add("self_attn_layer_scale", scale);
  l->add("mlp_layer_scale", scale);
  auto m = make("MimiTransformerModel");
  m->add("layers", repeat(l, media::count(c, "num_hidden_layers", 8)));
  m->add("rotary_emb", rotary("MimiRotaryEmbedding", head_dim));
  return m;
}

// MimiResidualVectorQuantizer(n): n codebooks (initialized, cluster_usage, embed_sum), 1x1 projections when the
// quantizer's width differs from hidden_size.
ModulePtr rvq(const Config& c, int64_t h, int64_t n) {
  int64_t size = media::dim(c, "codebook_size", 2048), dim = media::dim(c, "codebook_dim", h);
  int64_t vq_h = media::dim(c, "vector_quantization_hidden_dimension", 256);
  auto book = make("MimiEuclideanCodebook");
  book->buffer("initialized", {1}, DType::F32).buffer("cluster_usage", {size}, DType::F32);
  book->buffer("embed_sum", {size, dim}, DType::F32);
  auto vq = make("MimiVectorQuantization");
  vq->add("codebook", book);
  auto m = make("MimiResidualVectorQuantizer");
  m->add("layers", repeat(vq, n));
  if (vq_h != h) {
    m->add("input_proj", media::conv1d(h, vq_h, 1, false));
    m->add("output_proj", media::conv1d(vq_h, h, 1, false));
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "MimiModel") heads::unsupported(cls);
  auto s = seanet::read(c, "Mimi", {8, 6, 5, 4}, 0);
  seanet::Conv cv = [](int64_t in, int64_t out, int64_t k, bool t) { return conv(in, out, k, t); };
  int64_t h = s.hidden;
  // encodec_frame_rate = ceil(sampling_rate / prod(ratios)); frame_rate = the config's, else
  // sampling_rate / frame_size, frame_size being the encoder's total stride times the downsampling's 2.
  double hop = 1;
  for (int64_t r : s.ratios) hop *= static_cast<double>(r);
  double rate = static_cast<double>(media::dim(c, "sampling_rate", 24000));
  double encodec_rate = std::ceil(rate / hop), frame_rate = rate / (hop * 2);
  for (const char* k : {"_frame_rate", "frame_rate"})
    if (c.has(k)) frame_rate = c.f(k, frame_rate);
  auto m = make("MimiModel");
  m->add("encoder", seanet::encoder(s, cv));
  m->add("encoder_transformer", transformer(c, h));
  if (frame_rate != encodec_rate) {
    double ratio = encodec_rate / frame_rate;
    media::require(c, std::isfinite(ratio) && ratio >= 0 && ratio < 1 << 20, "frame_rate is out of range");
    int64_t k = 2 * static_cast<int64_t>(ratio);
    media::require(c, k > 0, "frame_rate gives an empty downsampling kernel");
    m->add("downsample", conv(h, h, k, false, false));
    int64_t groups = media::dim(c, "upsample_groups", 512);
    media::divisible(c, h, groups, "hidden_size / upsample_groups");
    m->add("upsample", conv(h, h, k, true, false, groups));
  }
  m->add("decoder_transformer", transformer(c, h));
  m->add("decoder", seanet::decoder(s, cv));
  int64_t nq = media::count(c, "num_quantizers", 32), semantic = media::count(c, "num_semantic_quantizers", 1);
  media::require(c, semantic <= nq, "num_semantic_quantizers exceeds num_quantizers");
  auto q = make("MimiSplitResidualVectorQuantizer");
  q->add("semantic_residual_vector_quantizer", rvq(c, h, semantic));
  q->add("acoustic_residual_vector_quantizer", rvq(c, h, nq - semantic));
  m->add("quantizer", q);
  return {m, {"MimiTransformerLayer", "MimiSplitResidualVectorQuantizer"}};
}

MEMFIT_FAMILY({"mimi"}, "Mimi", build);

}  // namespace
}  // namespace memfit
