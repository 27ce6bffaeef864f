// GLM-4.1V / GLM-4.6V: transformers' modeling_glm4v.py, modeling_glm46v.py. Glm4vVisionModel (learned position
// embedding, Conv3d patch_embed, a float32 rotary table inv_freq [ceil(head_dim / 4)], blocks of RMSNorm + fused qkv
// attention + gated MLP of out_hidden_size, post_conv_layernorm, a Conv2d downsample to out_hidden_size, a gated
// merger, post_layernorm) under `visual`, and Glm4vTextModel under `language_model`. GLM-4.6V (and glmga) build
// the same parts with AutoModel from the nested configs.
#include "arch/transformers/glm4v.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
using namespace blocks;

ModulePtr glm4v_patch_merger(const std::string& p, int64_t dim, int64_t ctx, const std::string& act) {
  auto merger = make(p + "VisionPatchMerger");
  merger->add("proj", linear(dim, dim, false));
  merger->add("post_projection_norm", layer_norm(dim));
  merger->add("gate_proj", linear(dim, ctx, false));
  merger->add("up_proj", linear(dim, ctx, false));
  merger->add("down_proj", linear(ctx, dim, false));
  merger->add("act1", leaf("GELU"));
  merger->add("act_fn", leaf(act));
  return merger;
}

namespace {

// `p`: the class prefix ("Glm4v", "Glm4vMoe").
ModulePtr vision_model(const Config& v, const std::string& p = "Glm4v") {
  int64_t h = media::dim(v, "hidden_size", 1536), out = media::dim(v, "out_hidden_size", 4096);
  int64_t heads = media::dim(v, "num_heads", 12), patch = media::dim(v, "patch_size", 14);
  int64_t t = media::dim(v, "temporal_patch_size", 2), merge = media::dim(v, "spatial_merge_size", 2);
  int64_t image = media::dim(v, "image_size", 336), in = media::dim(v, "in_channels", 3);
  std::string act = act_class(v.s("hidden_act", "silu"));
  auto norm = [&](int64_t d) { return rms_norm(p + "RMSNorm", d); };

  auto emb = make(p + "VisionEmbeddings");
  emb->add("position_embedding", embedding((image / patch) * (image / patch), h));
  auto conv3d = make("Conv3d");
  conv3d->param("weight", {h, in, t, patch, patch}).param("bias", {h});
  auto pe = make(p + "VisionPatchEmbed");
  pe->add("proj", conv3d);
  auto rope = make(p + "VisionRotaryEmbedding");
  int64_t rope_dim = h / heads / 2;
  rope->buffer("inv_freq", {(rope_dim + 1) / 2}, DType::F32, false);

  auto attn = make(p + "VisionAttention");
  attn->add("qkv", linear(h, 3 * h, v.b("attention_bias", false)));
  attn->add("proj", linear(h, h, false));
  auto block = make(p + "VisionBlock");
  block->add("norm1", norm(h));
  block->add("norm2", norm(h));
  block->add("attn", attn);
  block->add("mlp", gated_mlp(p == "Glm4v" ? "Glm4VisionMlp" : p + "isionMlp", h, out, false, act));

  auto merger = glm4v_patch_merger(p, out, media::dim(v, "intermediate_size", 13696), act);

  auto m = make(p + "VisionModel");
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

// `p`: "Glm4v", "Glm46V" or "Glm4vMoe" (GLM-4.5V: modeling_glm4v_moe.py, the same vision tree under its prefix).
Model build(const Config& c, std::string_view cls, const std::string& p) {
  bool moe = p == "Glm4vMoe";
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", moe ? "glm4v_moe_vision" : "glm4v_vision"}}, "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", moe ? "glm4v_moe_text" : "glm4v_text"}}, "");
  Model text = auto_model(tc.c);
  auto m = make(p + "Model");
  std::string vp = moe ? p : "Glm4v";
  m->add("visual", vision_model(vc.c, vp));
  m->add("language_model", text.root);
  Model base{m, {(moe ? "Glm4vMoeText" : "Glm4vText") + std::string("DecoderLayer"), vp + "VisionBlock"}};
  if (cls == p + "Model") return base;
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"glm4v"}, "Glm4v", [](const Config& c, std::string_view cls) { return build(c, cls, "Glm4v"); });
MEMFIT_FAMILY({"glm4v_moe"}, "Glm4vMoe",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Glm4vMoe"); });
MEMFIT_FAMILY({"glm46v", "glmga"}, "Glm46V",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Glm46V"); });
MEMFIT_FAMILY({"glm4v_vision"}, "Glm4vVision", [](const Config& c, std::string_view cls) {
  if (cls != "Glm4vVisionModel") heads::unsupported(cls);
  return Model{vision_model(c), {"Glm4vVisionBlock"}};
});
// GLM-4.5V's vision tower on its own: Glm4vVisionModel's tree under the Glm4vMoe prefix.
MEMFIT_FAMILY({"glm4v_moe_vision"}, "Glm4vMoeVision", [](const Config& c, std::string_view cls) {
  if (cls != "Glm4vMoeVisionModel") heads::unsupported(cls);
  return Model{vision_model(c, "Glm4vMoe"), {"Glm4vMoeVisionBlock"}};
});

}  // namespace
}  // namespace memfit
