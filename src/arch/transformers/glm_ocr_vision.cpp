// GLM-OCR's vision tower (glm_ocr_vision): transformers' modeling_glm_ocr.py GlmOcrVisionModel. GLM-4.1V's vision
// tree without learned positions or the post-conv norm: a Conv3d patch_embed, a rotary inv_freq table, blocks of
// RMSNorms + fused qkv attention with per-head q/k RMSNorms + a gated MLP of intermediate_size, a gated merger of
// out_hidden_size * in_channels, a Conv2d downsample and a post RMSNorm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 1024), out = media::dim(v, "out_hidden_size", 1536);
  int64_t heads = media::dim(v, "num_heads", 16), patch = media::dim(v, "patch_size", 14);
  int64_t t = media::dim(v, "temporal_patch_size", 2), merge = media::dim(v, "spatial_merge_size", 2);
  int64_t in = media::dim(v, "in_channels", 3), inter = media::dim(v, "intermediate_size", 4096);
  media::divisible(v, h, heads, "hidden_size / num_heads");
  bool bias = v.b("attention_bias", true);
  std::string act = act_class(v.s("hidden_act", "silu"));
  auto norm = [&](int64_t d) { return rms_norm("GlmOcrRMSNorm", d); };

  auto conv3d = make("Conv3d");
  conv3d->param("weight", {h, in, t, patch, patch}).param("bias", {h});
  auto pe = make("GlmOcrVisionPatchEmbed");
  pe->add("proj", conv3d);
  auto rope = make("GlmOcrVisionRotaryEmbedding");
  int64_t rope_dim = h / heads / 2;
  rope->buffer("inv_freq", {(rope_dim + 1) / 2}, DType::F32, false);

  auto attn = make("GlmOcrVisionAttention");
  attn->add("qkv", linear(h, 3 * h, bias));
  attn->add("proj", linear(h, h, bias));
  attn->add("q_norm", norm(h / heads));
  attn->add("k_norm", norm(h / heads));
  auto block = make("GlmOcrVisionBlock");
  block->add("norm1", norm(h));
  block->add("norm2", norm(h));
  block->add("attn", attn);
  block->add("mlp", gated_mlp("GlmOcrVisionMlp", h, inter, bias, act));

  int64_t ctx = out * in;
  auto merger = make("GlmOcrVisionPatchMerger");
  merger->add("proj", linear(out, out, false));
  merger->add("post_projection_norm", layer_norm(out));
  merger->add("gate_proj", linear(out, ctx, false));
  merger->add("up_proj", linear(out, ctx, false));
  merger->add("down_proj", linear(ctx, out, false));
  merger->add("act1", leaf("GELU"));
  merger->add("act_fn", leaf(act));

  auto m = make("GlmOcrVisionModel");
  m->add("patch_embed", pe);
  m->add("rotary_pos_emb", rope);
  m->add("blocks", repeat(block, media::count(v, "depth", 24)));
  m->add("merger", merger);
  m->add("downsample", conv2d(h, out, merge));
  m->add("post_layernorm", norm(h));
  return m;
}

MEMFIT_FAMILY({"glm_ocr_vision"}, "GlmOcrVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "GlmOcrVisionModel") heads::unsupported(cls);
  return {vision_model(c), {"GlmOcrTextDecoderLayer", "GlmOcrVisionBlock"}};
});

}  // namespace
}  // namespace memfit
