// GLM-OCR: transformers' modeling_glm_ocr.py. GLM-4V's vision tower without the learned position embedding and the
// post-conv norm: Conv3d patch_embed, a float32 rotary table, blocks of RMSNorm + fused qkv attention with per-head
// q/k RMSNorms + a gated MLP of intermediate_size (biases per attention_bias), a bias-free gated merger of
// out_hidden_size * in_channels, a Conv2d downsample and post_layernorm; GlmOcrTextModel (glm4.cpp) under
// language_model.
#include "arch/blocks.h"
#include "arch/transformers/glm4v.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
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
  rope->buffer("inv_freq", {(h / heads / 2 + 1) / 2}, DType::F32, false);

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

  auto merger = glm4v_patch_merger("GlmOcr", out, out * in, act);

  auto m = make("GlmOcrVisionModel");
  m->add("patch_embed", pe);
  m->add("rotary_pos_emb", rope);
  m->add("blocks", repeat(block, media::count(v, "depth", 24)));
  m->add("merger", merger);
  m->add("downsample", conv2d(h, out, merge));
  m->add("post_layernorm", norm(h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "glm_ocr_vision"}}, "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "glm_ocr_text"}}, "");
  Model text = auto_model(tc.c);
  auto m = make("GlmOcrModel");
  m->add("visual", vision_model(vc.c));
  m->add("language_model", text.root);
  Model base{m, {"GlmOcrTextDecoderLayer", "GlmOcrVisionBlock"}};
  if (cls == "GlmOcrModel") return base;
  if (cls != "GlmOcrForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"glm_ocr"}, "GlmOcr", build);
// The vision tower on its own (glm_ocr_vision: GlmOcrVisionModel); _no_split_modules is the family's.
MEMFIT_FAMILY({"glm_ocr_vision"}, "GlmOcrVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "GlmOcrVisionModel") heads::unsupported(cls);
  return {vision_model(c), {"GlmOcrTextDecoderLayer", "GlmOcrVisionBlock"}};
});

}  // namespace
}  // namespace memfit
