// Kimi K2.5's vision tower (kimi_k25_vision): transformers' modeling_kimi_k25.py Kimi_K25VisionModel. A patch conv
// with a learned pos_emb_height x pos_emb_width x hidden position grid (plus a non-persistent sinusoidal time table
// of pos_emb_time + 1 rows), a 2D rotary table over a quarter of the head dimension, LayerNorm encoder layers of
// biased q/k/v/proj attention + fc1/fc2 MLP, and a final LayerNorm. Muse Glimmer's vision tower
// (muse_glimmer_vision, modeling_muse_glimmer.py) shares the layers and rotary table: a bias-free Linear over
// flattened space-time patches, a learned position table, and LayerNorms before and after the layers. Kimi_K25Model
// (kimi_k25) puts the tower beside a DeepSeek-V3 text model and a patch-merging projector.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// <P>VisionEncoderLayer: LayerNorms, biased proj/q/k/v attention and an fc1/fc2 MLP.
ModulePtr encoder_layer(const Config& c, const std::string& p, int64_t h) {
  int64_t inter = media::dim(c, "intermediate_size", 4304);
  auto attn = make(p + "VisionAttention");
  attn->add("proj", linear(h, h));
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(h, h));
  auto mlp = make(p + "VisionMLP");
  mlp->add("fc1", linear(h, inter));
  mlp->add("act", leaf(act_class(c.s("hidden_act", "gelu_pytorch_tanh"))));
  mlp->add("fc2", linear(inter, h));
  auto layer = make(p + "VisionEncoderLayer");
  layer->add("norm1", layer_norm(h));
  layer->add("norm2", layer_norm(h));
  layer->add("attn", attn);
  layer->add("mlp", mlp);
  return layer;
}

// The 2D rotary table: inv_freq / original_inv_freq over half of half the head dimension.
ModulePtr rotary(const Config& c, const std::string& p, int64_t h, int64_t heads) {
  int64_t spatial = c.i("head_dim", h / heads) / 2;
  media::require(c, spatial >= 0 && spatial <= media::kMaxDim, "head_dim out of range");
  auto rope = make(p + "VisionRotaryEmbedding");
  rope->buffer("inv_freq", {(spatial + 1) / 2}, DType::F32, false);
  rope->buffer("original_inv_freq", {(spatial + 1) / 2}, DType::F32, false);
  return rope;
}

ModulePtr vision_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1152), heads = media::dim(c, "num_attention_heads", 16);
  int64_t patch = media::dim(c, "patch_size", 14);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t ph = media::dim(c, "pos_emb_height", 64), pw = media::dim(c, "pos_emb_width", 64);
  media::require(c, ph * pw <= media::kMaxDim, "pos_emb_height * pos_emb_width too large");
  auto pos = make("Kimi_K25VisionPositionEmbeddings");
  pos->param("position_embeddings", {ph, pw, h});
  pos->buffer("time_position_embeddings", {media::count(c, "pos_emb_time", 4) + 1, h}, DType::F32, false);
  auto pe = make("Kimi_K25VisionPatchEmbed");
  pe->add("proj", conv2d(3, h, patch));
  pe->add("pos_emb", pos);
  auto layer = encoder_layer(c, "Kimi_K25", h);
  auto m = make("Kimi_K25VisionModel");
  m->add("patch_embed", pe);
  m->add("rotary_emb", rotary(c, "Kimi_K25", h, heads));
  m->add("layers", repeat(layer, media::count(c, "num_hidden_layers", 27)));
  m->add("final_layernorm", layer_norm(h));
  return m;
}

ModulePtr muse_vision_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1536), heads = media::dim(c, "num_attention_heads", 16);
  int64_t patch = media::dim(c, "patch_size", 14), t = media::dim(c, "patch_temporal", 2);
  int64_t ph = media::dim(c, "pos_emb_height", 32), pw = media::dim(c, "pos_emb_width", 32);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  media::require(c, ph * pw <= media::kMaxDim && t * 3 * patch * patch <= media::kMaxDim, "patch grid too large");
  auto pe = make("MuseGlimmerVisionPatchEmbedder");
  pe->add("patch_embedding", linear(t * 3 * patch * patch, h, false));
  pe->add("position_embedding_table", embedding(ph * pw, h));
  auto m = make("MuseGlimmerVisionModel");
  m->add("patch_embedder", pe);
  m->add("rotary_emb", rotary(c, "MuseGlimmer", h, heads));
  m->add("ln_pre", layer_norm(h));
  m->add("layers", repeat(encoder_layer(c, "MuseGlimmer", h), media::count(c, "num_hidden_layers", 50)));
  m->add("ln_post", layer_norm(h));
  return m;
}

// Kimi_K25Model: the vision tower, the text model AutoModel builds from text_config (DeepSeek-V3; a remote kimi_k2
// model_type is read as deepseek_v3) and mm_projector (pre_norm LayerNorm(projection_hidden_size), in_proj over the
// merged patches, hidden * merge_kernel_size[0] * merge_kernel_size[1], GELU, out_proj into the text width).
Model kimi_k25(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "kimi_k25_vision"}}, "kimi_k25_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "deepseek_v3"}}, "deepseek_v3");
  if (tc.c.s("model_type", "") == "kimi_k2") (*tc.json)["model_type"] = "deepseek_v3";
  Model text = auto_model(tc.c);
  int64_t vh = media::dim(vc.c, "hidden_size", 1152), th = media::dim(tc.c, "hidden_size", 7168);
  std::vector<int64_t> merge = media::dims(vc.c, "merge_kernel_size", {2, 2});
  media::require(vc.c, merge.size() == 2 && merge[0] * merge[1] <= 4096, "merge_kernel_size is not a small pair");
  int64_t merged = vh * merge[0] * merge[1];
  auto proj = make("Kimi_K25MultimodalProjection");
  proj->add("pre_norm", layer_norm(media::dim(c, "projection_hidden_size", 1152)));
  proj->add("in_proj", linear(merged, merged));
  proj->add("act", leaf("GELU"));
  proj->add("out_proj", linear(merged, th));
  auto m = make("Kimi_K25Model");
  m->add("vision_tower", vision_model(vc.c));
  m->add("language_model", text.root);
  m->add("mm_projector", proj);
  Model base{m, {"Kimi_K25VisionEncoderLayer"}};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "Kimi_K25Model") return base;
  if (cls != "Kimi_K25ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 129280),
                                c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"kimi_k25"}, "Kimi_K25", kimi_k25);
MEMFIT_FAMILY({"muse_glimmer_vision"}, "MuseGlimmerVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "MuseGlimmerVisionModel") heads::unsupported(cls);
  return {muse_vision_model(c), {"MuseGlimmerTextDecoderLayer", "MuseGlimmerVisionEncoderLayer"}};
});
MEMFIT_FAMILY({"kimi_k25_vision"}, "Kimi_K25Vision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Kimi_K25VisionModel") heads::unsupported(cls);
  return {vision_model(c), {"Kimi_K25VisionEncoderLayer"}};
});

}  // namespace
}  // namespace memfit
