// LASR: transformers' modeling_lasr.py (LasrEncoder, LasrForCTC). A conformer encoder: a subsampler (Linear from the
// mel bins, two strided Conv1d, a Linear back to hidden), RoPE, blocks of two feed-forwards, q/k/v/o attention, a
// convolution module (pointwise GLU conv, depthwise conv, BatchNorm1d, pointwise conv) and five bias-free
// LayerNorms, and a bias-free out_norm; LasrForCTC adds a Conv1d head.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model lasr_encoder(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 512), inter = media::dim(c, "intermediate_size", 2048);
  int64_t heads = media::dim(c, "num_attention_heads", 8), kv = media::dim(c, "num_key_value_heads", heads);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t hd = media::dim(c, "head_dim", h / heads), ch = media::dim(c, "subsampling_conv_channels", 256);
  int64_t k = media::dim(c, "subsampling_conv_kernel_size", 5);
  bool bias = c.b("attention_bias", false), conv_bias = c.b("convolution_bias", false);
  std::string act = act_class(c.s("hidden_act", "silu"));
  auto norm = [&] { return layer_norm(h, false); };

  auto sub = make("LasrEncoderSubsampling");
  sub->add("dense_0", linear(media::dim(c, "num_mel_bins", 128), h));
  sub->add("conv_0", media::conv1d(h, h, k));
  sub->add("conv_1", media::conv1d(h, ch, k));
  sub->add("dense_1", linear(ch, h));
  sub->add("act_fn", leaf("ReLU"));
  auto ff = make("LasrEncoderFeedForward");
  ff->add("linear1", linear(h, inter, bias));
  ff->add("activation", leaf(act));
  ff->add("linear2", linear(inter, h, bias));
  auto conv = make("LasrEncoderConvolutionModule");
  conv->add("activation", leaf(act));
  conv->add("pointwise_conv1", media::conv1d(h, 2 * h, 1, conv_bias));
  conv->add("depthwise_conv", media::conv1d(h, h, media::dim(c, "conv_kernel_size", 32), conv_bias, h));
  conv->add("norm", batch_norm(h, "BatchNorm1d"));
  conv->add("pointwise_conv2", media::conv1d(h, h, 1, conv_bias));
  auto block = make("LasrEncoderBlock");
  block->add("feed_forward1", ff);
  block->add("self_attn", qkvo_attention("LasrEncoderAttention", {h, heads, kv, hd, bias, bias}));
  block->add("conv", conv);
  block->add("feed_forward2", ff);
  for (const char* n : {"norm_feed_forward1", "norm_self_att", "norm_conv", "norm_feed_forward2", "norm_out"})
    block->add(n, norm());
  auto m = make("LasrEncoder");
  m->add("subsampler", sub);
  m->add("rotary_emb", rotary("LasrEncoderRotaryEmbedding", hd));
  m->add("layers", repeat(block, media::count(c, "num_hidden_layers", 17)));
  m->add("out_norm", norm());
  return {m, {"LasrEncoderBlock"}};
}

MEMFIT_FAMILY({"lasr_encoder"}, "LasrEncoder", [](const Config& c, std::string_view cls) {
  if (cls != "LasrEncoder") heads::unsupported(cls);
  return lasr_encoder(c);
}, "LasrEncoder");
MEMFIT_FAMILY({"lasr_ctc"}, "Lasr", [](const Config& c, std::string_view cls) {
  if (cls != "LasrForCTC") heads::unsupported(cls);
  SubConfig ec = sub_config(c, "encoder_config", {{"model_type", "lasr_encoder"}}, "");
  Model enc = lasr_encoder(ec.c);
  auto root = make("LasrForCTC");
  root->add("encoder", enc.root);
  root->add("ctc_head", media::conv1d(media::dim(ec.c, "hidden_size", 512), media::dim(c, "vocab_size", 512), 1));
  return Model{root, enc.no_split};
}, "LasrForCTC");

}  // namespace
}  // namespace memfit
