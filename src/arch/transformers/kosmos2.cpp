// Kosmos-2 and Kosmos-2.5: transformers' modeling_kosmos2.py and modeling_kosmos2_5.py. <P>Model = text_model (a
// wrapper holding the text transformer under `model`: token embeddings, a non-persistent sinusoidal table of
// max_position_embeddings + 2 rows, pre-norm blocks of attention + an FFN with a LayerNorm between fc1 and fc2, a
// final LayerNorm), vision_model and image_to_text_projection (dense vision -> text, latent_query, cross attention).
// Kosmos-2's vision model is CLIP's vision transformer wrapped under `model`, its self-attention has an inner
// LayerNorm; Kosmos-2.5's is Pix2Struct's (Linear patch projection, row/column embeddings, T5-style norms, gated MLP)
// and its text transformer adds a 2-row segment embedding.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Variant {
  std::string p;      // "Kosmos2" or "Kosmos2_5"
  bool v25;
};

ModulePtr text_attention(const Variant& v, int64_t dim, bool inner_ln) {
  auto a = make(v.v25 ? "Kosmos2_5TextAttention" : "KosmosTextAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) a->add(n, linear(dim, dim));
  if (inner_ln) a->add("inner_attn_ln", layer_norm(dim));
  return a;
}

ModulePtr text_transformer(const Variant& v, const Config& t) {
  int64_t dim = media::dim(t, "embed_dim", 2048), ffn_dim = media::dim(t, "ffn_dim", 8192);
  int64_t pos = media::dim(t, "max_position_embeddings", 2048) + 2;
  auto ffn = make(v.p + "TextFFN");
  ffn->add("activation_fn", leaf(act_class(t.s("activation_function", "gelu"))));
  ffn->add("fc1", linear(dim, ffn_dim));
  ffn->add("fc2", linear(ffn_dim, dim));
  ffn->add("ffn_layernorm", layer_norm(ffn_dim));
  auto block = make(v.p + "TextBlock");
  block->add("self_attn", text_attention(v, dim, !v.v25));
  block->add("self_attn_layer_norm", layer_norm(dim));
  if (!v.v25 && t.b("add_cross_attention", false)) {
    block->add("encoder_attn", text_attention(v, dim, false));
    block->add("encoder_attn_layer_norm", layer_norm(dim));
  }
  block->add("ffn", ffn);
  block->add("final_layer_norm", layer_norm(dim));
  auto pe = make(v.p + "TextSinusoidalPositionalEmbedding");
  pe->buffer("weights", {pos, dim}, DType::F32, false);
  auto m = make(v.p + "TextTransformer");
  m->add("embed_tokens", embedding(media::dim(t, "vocab_size", 65037), dim));
  m->add("embed_positions", pe);
  if (v.v25) m->add("segment_emb", embedding(2, dim));
  m->add("layers", repeat(block, media::count(t, "layers", 24)));
  m->add("layer_norm", layer_norm(dim));
  return m;
}

void rename_clip(Module& m) {
  if (m.cls.starts_with("Kosmos2VisionVision")) m.cls = "Kosmos2Vision" + m.cls.substr(19);
  for (auto& [name, child] : m.children) rename_clip(*child);
}

ModulePtr vision_model(const Variant& v, const Config& vc) {
  if (!v.v25) {
    ModulePtr inner = clip_vision_model(vc, "Kosmos2Vision").root;
    rename_clip(*inner);
    inner->cls = "Kosmos2VisionTransformer";
    auto m = make("Kosmos2VisionModel");
    m->add("model", inner);
    return m;
  }
  int64_t h = media::dim(vc, "hidden_size", 1536), inner = media::dim(vc, "num_attention_heads", 24) *
                                                              media::dim(vc, "head_dim", 64);
  int64_t inter = media::dim(vc, "intermediate_size", 3968), patches = media::dim(vc, "max_num_patches", 4096);
  auto norm = [](int64_t d) { return rms_norm("Kosmos2_5LayerNorm", d); };
  auto emb = make("Kosmos2_5VisionEmbeddings");
  emb->add("patch_projection", linear(media::dim(vc, "patch_embed_hidden_size", 768), h));
  emb->add("row_embedder", embedding(patches, h));
  emb->add("column_embedder", embedding(patches, h));
  emb->add("dropout", leaf("Dropout"));
  auto attn = make("Kosmos2_5VisionAttention");
  for (const char* n : {"query", "key", "value"}) attn->add(n, linear(h, inner, false));
  attn->add("output", linear(inner, h, false));
  auto mlp = make("Kosmos2_5VisionMlp");
  mlp->add("wi_0", linear(h, inter, false));
  mlp->add("wi_1", linear(h, inter, false));
  mlp->add("wo", linear(inter, h, false));
  mlp->add("dropout", leaf("Dropout"));
  mlp->add("act", leaf(act_class(vc.s("dense_act_fn", "gelu_new"))));
  auto layer = make("Kosmos2_5VisionLayer");
  layer->add("attention", attn);
  layer->add("mlp", mlp);
  layer->add("pre_mlp_layer_norm", norm(h));
  layer->add("pre_attention_layer_norm", norm(h));
  auto enc = make("Kosmos2_5VisionEncoder");
  enc->add("layer", repeat(layer, media::count(vc, "num_hidden_layers", 18)));
  auto m = make("Kosmos2_5VisionModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("layernorm", norm(h));
  return m;
}

Model build(const Variant& v, const Config& c, std::string_view cls) {
  std::string tt = v.v25 ? "kosmos_2_5_text_model" : "kosmos_2_text_model";
  std::string vt = v.v25 ? "kosmos_2_5_vision_model" : "kosmos_2_vision_model";
  SubConfig tc = sub_config(c, "text_config", {{"model_type", tt}}, tt);
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", vt}}, vt);
  int64_t dim = media::dim(tc.c, "embed_dim", 2048), vocab = media::dim(tc.c, "vocab_size", 65037);
  auto proj = make(v.p + "ImageToTextProjection");
  proj->add("dense", linear(media::dim(vc.c, "hidden_size", 1024), dim));
  proj->param("latent_query", {media::dim(c, "latent_query_num", 64), dim});
  proj->add("x_attn", text_attention(v, dim, false));

  bool lm = cls == v.p + "ForConditionalGeneration";
  if (!lm && cls != v.p + "Model") heads::unsupported(cls);
  auto text = make(v.p + (lm ? "TextForCausalLM" : "TextModel"));
  text->add("model", text_transformer(v, tc.c));
  if (lm) {
    if (tc.c.b("tie_word_embeddings", true))
      text->add("lm_head", make("Linear"))->tie("weight", {vocab, dim}, "text_model.model.embed_tokens.weight");
    else
      text->add("lm_head", linear(dim, vocab, false));
  }
  auto m = make(std::string(cls));
  m->add("text_model", text);
  m->add("vision_model", vision_model(v, vc.c));
  m->add("image_to_text_projection", proj);
  return {m, {v.p + "TextBlock", v.p + (v.v25 ? "VisionLayer" : "VisionEncoderLayer")}};
}

MEMFIT_FAMILY({"kosmos-2"}, "Kosmos2", [](const Config& c, std::string_view cls) {
  return build({"Kosmos2", false}, c, cls);
});
MEMFIT_FAMILY({"kosmos-2.5"}, "Kosmos2_5", [](const Config& c, std::string_view cls) {
  return build({"Kosmos2_5", true}, c, cls);
});

}  // namespace
}  // namespace memfit
