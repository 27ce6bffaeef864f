// IDEFICS (v1): transformers' modeling_idefics.py, vision.py and perceiver.py (a CLIP-style vision transformer,
// a perceiver resampler, a Llama-style decoder with decoupled embeddings and gated cross-attention layers).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/vision_towers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// IdeficsAttention: q/k/v/o (cross-attention reads keys/values from the vision embed_dim), a rotary module with
// cos/sin caches for 2048 positions, optional q/k RMSNorms.
ModulePtr attention(int64_t h, int64_t heads, int64_t kv_in, bool qk_norms) {
  int64_t head_dim = h / heads;
  auto a = make("IdeficsAttention");
  a->add("q_proj", linear(h, h, false));
  a->add("k_proj", linear(kv_in, h, false));
  a->add("v_proj", linear(kv_in, h, false));
  a->add("o_proj", linear(h, h, false));
  auto rope = make("IdeficsEmbedding");
  rope->buffer("inv_freq", {head_dim / 2}, DType::F32, false);
  rope->buffer("cos_cached", {2048, head_dim}, DType::F32, false);
  rope->buffer("sin_cached", {2048, head_dim}, DType::F32, false);
  a->add("rotary_emb", rope);
  if (qk_norms) {
    a->add("q_layer_norm", rms_norm("IdeficsRMSNorm", head_dim));
    a->add("k_layer_norm", rms_norm("IdeficsRMSNorm", head_dim));
  }
  return a;
}

ModulePtr mlp(int64_t h, int64_t inter, const std::string& act) {
  auto m = make("IdeficsMLP");
  m->add("gate_proj", linear(h, inter, false));
  m->add("down_proj", linear(inter, h, false));
  m->add("up_proj", linear(h, inter, false));
  m->add("act_fn", leaf(act_class(act)));
  return m;
}

// IdeficsPerceiverResampler: latents, depth x [IdeficsPerceiverAttention, IdeficsMLP], layer_norm.
ModulePtr perceiver(const Config& p, int64_t embed) {
  int64_t depth = p.i("resampler_depth", 6), heads = p.i("resampler_n_heads", 16);
  int64_t head_dim = p.i("resampler_head_dim", 96), latents = p.i("resampler_n_latents", 64);
  if (depth < 0 || depth > 100000) p.missing("resampler_depth");
  auto attn = make("IdeficsPerceiverAttention");
  attn->add("context_layer_norm", layer_norm(embed));
  attn->add("latents_layer_norm", layer_norm(embed));
  if (p.b("qk_layer_norms_perceiver", false)) {
    attn->add("q_layer_norm", layer_norm(head_dim));
    attn->add("k_layer_norm", layer_norm(head_dim));
  }
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(embed, heads * head_dim, false));
  attn->add("output_proj", linear(heads * head_dim, embed, false));
  auto ff = make("IdeficsMLP");
  ff->add("ln", layer_norm(embed));
  ff->add("fc", linear(embed, 4 * embed, false));
  ff->add("act", leaf("ReLU"));
  ff->add("c_proj", linear(4 * embed, embed, false));
  auto r = make("IdeficsPerceiverResampler");
  r->param("latents", {latents, embed});
  r->add("blocks", repeat(module_list({attn, ff}), depth));
  r->add("layer_norm", layer_norm(embed));
  return r;
}

Model build(const Config& c, std::string_view cls) {
  int64_t vocab = c.i("vocab_size", 32000), extra = c.i("additional_vocab_size", 0), h = c.i("hidden_size", 4096);
  int64_t inter = c.i("intermediate_size", 11008), layers = c.i("num_hidden_layers", 32);
  int64_t heads = c.i("num_attention_heads", 32), interval = c.i("cross_layer_interval", 1);
  if (heads <= 0 || interval <= 0 || extra < 0 || layers < 0 || layers > 100000) c.missing("cross_layer_interval");
  std::string act = c.s("hidden_act", "silu");

  // IdeficsVisionConfig (embed_dim is its hidden_size) over its defaults; built like CLIP's vision transformer.
  SubConfig vraw = sub_config(c, "vision_config",
                              {{"embed_dim", 768}, {"intermediate_size", 5120}, {"num_hidden_layers", 32},
                               {"num_attention_heads", 16}, {"patch_size", 14}, {"image_size", 224},
                               {"hidden_act", "gelu"}},
                              "idefics_vision");
  int64_t embed = vraw.c.i("embed_dim");
  (*vraw.json)["hidden_size"] = embed;
  Model vision = clip_vision_model(vraw.c, "IdeficsVision");
  vision.root->cls = "IdeficsVisionTransformer";

  auto emb = embedding(vocab, h, "IdeficsDecoupledEmbedding");
  if (extra > 0) emb->add("additional_embedding", embedding(extra, h));
  auto layer = make("IdeficsDecoderLayer");
  layer->add("self_attn", attention(h, heads, h, false));
  layer->add("mlp", mlp(h, inter, act));
  layer->add("input_layernorm", rms_norm("IdeficsRMSNorm", h));
  layer->add("post_attention_layernorm", rms_norm("IdeficsRMSNorm", h));
  auto gated = make("IdeficsGatedCrossAttentionLayer");
  gated->add("cross_attn", attention(h, heads, embed, c.b("qk_layer_norms", false)));
  gated->add("mlp", mlp(h, inter, act));
  gated->add("input_layernorm", rms_norm("IdeficsRMSNorm", h));
  gated->add("post_attention_layernorm", rms_norm("IdeficsRMSNorm", h));
  gated->add("act_cross_attn", leaf("Tanh"));
  gated->add("act_dense", leaf("Tanh"));
  std::vector<int64_t> alpha = c.s("alpha_type", "float") == "vector" ? std::vector<int64_t>{1, 1, h}
                                                                     : std::vector<int64_t>{1};
  gated->param("alpha_cross_attn", alpha).param("alpha_dense", alpha);

  auto m = make("IdeficsModel");
  m->add("embed_tokens", emb);
  m->add("vision_model", vision.root);
  if (c.b("use_resampler", false)) {
    SubConfig pc = sub_config(c, "perceiver_config", Json::object(), "idefics_perciever");
    m->add("perceiver_resampler", perceiver(pc.c, embed));
  }
  m->add("layers", repeat(layer, layers));
  m->add("gated_cross_attn_layers", repeat(gated, layers / interval));
  m->add("norm", rms_norm("IdeficsRMSNorm", h));
  Model base{m, {"IdeficsDecoderLayer", "IdeficsGatedCrossAttentionLayer", "IdeficsVisionEncoderLayer"}};
  if (cls == "IdeficsModel") return base;
  if (cls != "IdeficsForVisionText2Text") heads::unsupported(cls);
  bool tied = heads::ties_embeddings(c, false);
  auto head = heads::lm_head(h, vocab, tied, "model.embed_tokens.weight");
  head->cls = "IdeficsDecoupledLinear";
  if (extra > 0)
    head->add("additional_fc", heads::lm_head(h, extra, tied, "model.embed_tokens.additional_embedding.weight"));
  auto root = make(std::string(cls));
  root->add("model", m);
  root->add("lm_head", head);
  base.root = root;
  return base;
}

MEMFIT_FAMILY({"idefics"}, "Idefics", build);

}  // namespace
}  // namespace memfit
