// GLM-4.1V / GLM-4.6V: transformers' modeling_glm4v.py, modeling_glm46v.py. Glm4vVisionModel (learned position
// embedding, Conv3d patch_embed, a float32 rotary table inv_freq [ceil(head_dim / 4)], blocks of RMSNorm + fused qkv
// attention + gated MLP of out_hidden_size, post_conv_layernorm, a Conv2d downsample to out_hidden_size, a gated
// merger, post_layernorm) under `visual`, and Glm4vTextModel under `language_model`. GLM-4.6V (and glmga) build
// the same parts with AutoModel from the nested configs.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 1536), out = media::dim(v, "out_hidden_size", 4096);
  int64_t heads = media::dim(v, "num_heads", 12), patch = media::dim(v, "patch_size", 14);
  int64_t t = media::dim(v, "temporal_patch_size", 2), merge = media::dim(v, "spatial_merge_size", 2);
  int64_t image = media::dim(v, "image_size", 336), in = media::dim(v, "in_channels", 3);
  std::string act = act_class(v.s("hidden_act", "silu"));
  auto norm = [&](int64_t d) { return rms_norm("Glm4vRMSNorm", d); };

  auto emb = make("Glm4vVisionEmbeddings");
  emb->add("position_embedding", embedding((image / patch) * (image / patch), h));
  auto conv3d = make("Conv3d");
  conv3d->param("weight", {h, in, t, patch, patch}).param("bias", {h});
  auto pe = make("Glm4vVisionPatchEmbed");
  pe->add("proj", conv3d);
  auto rope = make("Glm4vVisionRotaryEmbedding");
  int64_t rope_dim = h / heads / 2;
  rope->buffer("inv_freq", {(rope_dim + 1) / 2}, DType::F32, false);

  auto attn = make("Glm4vVisionAttention");
  attn->add("qkv", linear(h, 3 * h, v.b("attention_bias", false)));
  attn->add("proj", linear(h, h, false));
  auto block = make("Glm4vVisionBlock");
  block->add("norm1", norm(h));
  block->add("norm2", norm(h));
  block->add("attn", attn);
  block->add("mlp", gated_mlp("Glm4VisionMlp", h, out, false, act));

  int64_t ctx = media::dim(v, "intermediate_size", 13696);
  auto merger = make("Glm4vVisionPatchMerger");
  merger->add("proj", linear(out, out, false));
  merger->add("post_projection_norm", layer_norm(out));
  merger->add("gate_proj", linear(out, ctx, false));
  merger->add("up_proj", linear(out, ctx, false));
  merger->add("down_proj", linear(ctx, out, false));
  merger->add("act1", leaf("GELU"));
  merger->add("act_fn", leaf(act));

  auto m = make("Glm4vVisionModel");
  m->add("embeddings", emb);
  m->add("patch_embed", pe);
  m->add("rotary_pos_emb", rope);
  m->add("blocks", repeat(block, media::count(v, "depth", 24)));
  m->add("merger", merger);
  m->add("post_conv_layernorm", norm(h));
  m->add("downsample", conv2d(h, out, merge));
  m->add("post_layernorm", norm(h));
  return m;
}

// `p`: "Glm4v" or "Glm46V".
Model build(const Config& c, std::string_view cls, const std::string& p) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "glm4v_vision"}}, "glm4v_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "glm4v_text"}}, "glm4v_text");
  Model text = auto_model(tc.c);
  auto m = make(p + "Model");
  m->add("visual", vision_model(vc.c));
  m->add("language_model", text.root);
  Model base{m, {"Glm4vTextDecoderLayer", "Glm4vVisionBlock"}};
  if (cls == p + "Model") return base;
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"glm4v"}, "Glm4v", [](const Config& c, std::string_view cls) { return build(c, cls, "Glm4v"); });
MEMFIT_FAMILY({"glm46v", "glmga"}, "Glm46V",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Glm46V"); });
MEMFIT_FAMILY({"glm4v_vision"}, "Glm4vVision", [](const Config& c, std::string_view cls) {
  if (cls != "Glm4vVisionModel") heads::unsupported(cls);
  return Model{vision_model(c), {"Glm4vVisionBlock"}};
});

}  // namespace
}  // namespace memfit
