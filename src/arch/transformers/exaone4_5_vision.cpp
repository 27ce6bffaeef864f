// EXAONE 4.5's vision tower (exaone4_5_vision): transformers' modeling_exaone4_5.py Exaone4_5_VisionModel, Qwen2.5-VL's
// windowed ViT with grouped-query attention: a bias-free Conv3d patch embedding, a float32 rotary table
// (inv_freq of head_dim / 4), blocks of two RMSNorms + attention (proj, then one qkv Linear of q + 2 kv widths) +
// a biased gated MLP, and the patch merger (RMSNorm ln_q, then Linear, GELU, Linear over merge^2 patches).
// Exaone4_5_Model (exaone4_5): that tower under `visual` and AutoModel of text_config (EXAONE 4 by default; the
// first releases' `exaone4_5_text` type means `exaone4`) under `language_model`.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"
#include "format/config_defaults.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vision_model(const Config& v) {
  int64_t h = media::dim(v, "hidden_size", 3584), heads = media::dim(v, "num_heads", 16);
  int64_t kv = media::dim(v, "num_key_value_heads", 8), patch = media::dim(v, "patch_size", 14);
  int64_t t = media::dim(v, "temporal_patch_size", 2), merge = media::dim(v, "spatial_merge_size", 2);
  int64_t in = media::dim(v, "in_channels", 3), out = media::dim(v, "out_hidden_size", 3584);
  int64_t head_dim = h / heads;
  auto norm = [](int64_t d) { return rms_norm("Exaone4_5_RMSNorm", d); };

  auto pe = make("Exaone4_5_PatchEmbed");
  pe->add("proj", make("Conv3d"))->param("weight", {h, in, t, patch, patch});
  auto rope = make("Exaone4_5_VisionRotaryEmbedding");
  rope->buffer("inv_freq", {(head_dim / 2 + 1) / 2}, DType::F32, false);
  auto attn = make("Exaone4_5_VisionAttention");
  attn->add("proj", linear(h, h));
  attn->add("qkv", linear(h, heads * head_dim + 2 * kv * head_dim));
  auto block = make("Exaone4_5_VisionBlock");
  block->add("norm1", norm(h));
  block->add("norm2", norm(h));
  block->add("attn", attn);
  block->add("mlp", gated_mlp("Exaone4_5_MLP", h, media::dim(v, "intermediate_size", 3420), true,
                              act_class(v.s("hidden_act", "silu"))));
  int64_t merged = h * merge * merge;
  auto mlp = make("Sequential");
  mlp->add("0", linear(merged, merged));
  mlp->add("1", leaf("GELU"));
  mlp->add("2", linear(merged, out));
  auto merger = make("Exaone4_5_PatchMerger");
  merger->add("ln_q", norm(h));
  merger->add("mlp", mlp);

  auto m = make("Exaone4_5_VisionModel");
  m->add("patch_embed", pe);
  m->add("rotary_pos_emb", rope);
  m->add("blocks", repeat(block, media::count(v, "depth", 32)));
  m->add("merger", merger);
  return m;
}

MEMFIT_FAMILY({"exaone4_5_vision"}, "Exaone4_5_Vision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Exaone4_5_VisionModel") heads::unsupported(cls);
  return {vision_model(c), {"Exaone4_5_VisionBlock"}};
});

Model exaone4_5(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "exaone4_5_vision"}}, "exaone4_5_vision");
  Json tj = c.has("text_config") && c.raw()["text_config"].is_object() ? c.raw()["text_config"] : Json::object();
  if (tj.value("model_type", "exaone4") == "exaone4_5_text") tj["model_type"] = "exaone4";
  if (!tj.contains("model_type")) tj["model_type"] = "exaone4";
  SubConfig tc = make_config(Json::object(), with_class_defaults(tj), "exaone4");
  Model text = auto_model(tc.c);
  auto m = make("Exaone4_5_Model");
  m->add("visual", vision_model(vc.c));
  m->add("language_model", text.root);
  Model base{m, text.no_split};
  merge_no_split(base.no_split, {"Exaone4_5_VisionBlock"});
  if (cls == "Exaone4_5_Model") return base;
  if (cls != "Exaone4_5_ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"exaone4_5"}, "Exaone4_5_", exaone4_5, "Exaone4_5_Model");

}  // namespace
}  // namespace memfit
