// Gemma 4 Unified: transformers' modeling_gemma4_unified.py Gemma4UnifiedModel, an encoder-free multimodal model:
// the language model AutoModel builds from text_config, then, only where the config has them, a vision embedder
// over raw merged patches (LayerNorm, Dense, LayerNorm, a factorized [mm_posemb_size, 2, mm_embed_dim] position
// table, LayerNorm, then the multimodal embedder) and an audio embedder (a scale-free RMSNorm and a Linear).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Gemma4UnifiedMultimodalEmbedder: RMSNorm without a scale over `mm`, then Linear(mm -> text, no bias).
ModulePtr multimodal_embedder(int64_t mm, int64_t text) {
  auto e = make("Gemma4UnifiedMultimodalEmbedder");
  e->add("embedding_projection", linear(mm, text, false));
  e->add("embedding_pre_projection_norm", make("Gemma4UnifiedRMSNorm"));
  return e;
}

ModulePtr vision_embedder(const Config& v, int64_t text) {
  int64_t model_patch = checked_count(v.i("patch_size", 16) * v.i("pooling_kernel_size", 3), "patch_size");
  int64_t patch_dim = model_patch * model_patch * 3, dim = v.i("mm_embed_dim", 3840);
  auto e = make("Gemma4UnifiedVisionEmbedder");
  e->add("patch_ln1", layer_norm(patch_dim));
  e->add("patch_dense", linear(patch_dim, dim));
  e->add("patch_ln2", layer_norm(dim));
  e->param("pos_embedding", {checked_count(v.i("mm_posemb_size", 1120), "mm_posemb_size"), 2, dim});
  e->add("pos_norm", layer_norm(dim));
  e->add("multimodal_embedder", multimodal_embedder(v.i("output_proj_dims", 3840), text));
  return e;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "gemma4_unified_text"}}, "gemma4_unified_text");
  Model text = auto_model(tc.c);
  int64_t th = tc.c.i("hidden_size");
  auto m = make("Gemma4UnifiedModel");
  m->add("language_model", text.root);
  if (auto v = c.opt_sub("vision_config")) m->add("embed_vision", vision_embedder(*v, th));
  if (auto a = c.opt_sub("audio_config")) m->add("embed_audio", multimodal_embedder(a->i("audio_embed_dim", 640), th));
  Model base{m, text.no_split};
  if (cls == "Gemma4UnifiedModel") return base;
  if (cls != "Gemma4UnifiedForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"gemma4_unified"}, "Gemma4Unified", build);

}  // namespace
}  // namespace memfit
