// Sapiens2: transformers' modeling_sapiens2.py. A ViT backbone: cls / optional mask / register tokens and a patch
// conv, a 2D RoPE table (inv_freq over head_dim / 4), layers of RMSNorm + attention with per-layer key/value head
// counts and optional per-head q/k RMSNorms + a layer scale + a gated (or plain) MLP, and a final RMSNorm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr layer(const Config& c, int64_t h, int64_t heads, int64_t kv) {
  int64_t hd = h / heads, inter = media::dim(c, "intermediate_size", 4096);
  bool qk_norm = c.b("use_qk_norm", true), mlp_bias = c.b("mlp_bias", true);
  auto norm = [](int64_t d) { return rms_norm("Sapiens2RMSNorm", d); };
  auto attn = make("Sapiens2Attention");
  attn->add("q_proj", linear(h, h, c.b("query_bias", true)));
  attn->add("o_proj", linear(h, h, c.b("proj_bias", true)));
  attn->add("k_proj", linear(h, kv * hd, c.b("key_bias", true)));
  attn->add("v_proj", linear(h, kv * hd, c.b("value_bias", true)));
  attn->add("q_norm", qk_norm ? norm(hd) : leaf("Identity"));
  attn->add("k_norm", qk_norm ? norm(hd) : leaf("Identity"));
  auto scale = make("Sapiens2LayerScale");
  scale->param("lambda1", {h});
  std::string act = act_class(c.s("hidden_act", "silu"));
  ModulePtr mlp;
  if (c.b("use_gated_mlp", true)) {
    mlp = gated_mlp("Sapiens2GatedMLP", h, inter, mlp_bias, act);
  } else {
    mlp = make("Sapiens2MLP");
    mlp->add("up_proj", linear(h, inter, mlp_bias));
    mlp->add("down_proj", linear(inter, h, mlp_bias));
    mlp->add("act_fn", leaf(act));
  }
  auto l = make("Sapiens2Layer");
  l->add("norm1", norm(h));
  l->add("attention", attn);
  l->add("layer_scale1", scale);
  l->add("drop_path", leaf(c.f("drop_path_rate", 0) > 0 ? "Sapiens2DropPath" : "Identity"));
  l->add("norm2", norm(h));
  l->add("mlp", mlp);
  l->add("layer_scale2", leaf("Identity"));
  return l;
}

ModulePtr sapiens2_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024), heads = media::dim(c, "num_attention_heads", 16);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t n = media::count(c, "num_hidden_layers", 24), patch = media::dim(c, "patch_size", 16);
  auto kv = media::dims(c, "num_key_value_heads_per_layer", std::vector<int64_t>(static_cast<size_t>(n), heads));
  media::require(c, kv.size() >= static_cast<size_t>(n), "num_key_value_heads_per_layer shorter than the layers");
  auto emb = make("Sapiens2Embeddings");
  emb->param("cls_token", {1, 1, h});
  if (c.b("use_mask_token", false)) emb->param("mask_token", {1, 1, h});
  emb->param("register_tokens", {1, media::count(c, "num_register_tokens", 8), h});
  emb->add("patch_embeddings", conv2d(media::dim(c, "num_channels", 3), h, patch));
  auto rope = make("Sapiens2RopePositionEmbedding");
  rope->buffer("inv_freq", {(h / heads + 3) / 4}, DType::F32, false);
  std::vector<ModulePtr> layers;
  ModulePtr prev;
  int64_t prev_kv = -1;
  for (int64_t i = 0; i < n; ++i) {
    if (kv[i] != prev_kv) prev = layer(c, h, heads, kv[i]), prev_kv = kv[i];
    layers.push_back(prev);
  }
  auto enc = make("Sapiens2Encoder");
  enc->add("layer", module_list(layers));
  auto m = make("Sapiens2Model");
  m->add("embeddings", emb);
  m->add("rope_embeddings", rope);
  m->add("model", enc);
  m->add("norm", rms_norm("Sapiens2RMSNorm", h));
  return m;
}

MEMFIT_FAMILY({"sapiens2"}, "Sapiens2", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Sapiens2Model") heads::unsupported(cls);
  return {sapiens2_model(c), {"Sapiens2Layer"}};
});

}  // namespace
}  // namespace memfit
