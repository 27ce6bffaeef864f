// V-JEPA 2: transformers' modeling_vjepa2.py. VJEPA2Model is an encoder (a Conv3d tubelet embedding, layers of
// LayerNorm + RoPE attention with query/key/value/proj + fc1/fc2 MLP, a LayerNorm) and a narrower predictor (a
// Linear into its width, mask tokens, the same layers, a LayerNorm and a projection back).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr vj_layer(const Config& c, int64_t h, double ratio) {
  bool bias = c.b("qkv_bias", true);
  auto attn = make("VJEPA2RopeAttention");
  for (const char* n : {"query", "key", "value"}) attn->add(n, linear(h, h, bias));
  attn->add("proj", linear(h, h));
  attn->add("dropout", leaf("Dropout"));
  int64_t hidden = static_cast<int64_t>(static_cast<double>(h) * ratio);
  media::require(c, hidden > 0 && hidden <= media::kMaxDim, "mlp_ratio out of range");
  auto mlp = make("VJEPA2MLP");
  mlp->add("fc1", linear(h, hidden));
  mlp->add("activation", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("fc2", linear(hidden, h));
  auto l = make("VJEPA2Layer");
  l->add("norm1", layer_norm(h));
  l->add("attention", attn);
  l->add("drop_path", leaf(c.f("drop_path_rate", 0) > 0 ? "VJEPA2DropPath" : "Identity"));
  l->add("norm2", layer_norm(h));
  l->add("mlp", mlp);
  return l;
}

ModulePtr encoder(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024), p = media::dim(c, "patch_size", 16);
  int64_t t = media::dim(c, "tubelet_size", 2);
  auto conv = make("Conv3d");
  conv->param("weight", {h, media::dim(c, "in_chans", 3), t, p, p}).param("bias", {h});
  auto pe = make("VJEPA2PatchEmbeddings3D");
  pe->add("proj", conv);
  auto emb = make("VJEPA2Embeddings");
  emb->add("patch_embeddings", pe);
  auto e = make("VJEPA2Encoder");
  e->add("embeddings", emb);
  e->add("layer", repeat(vj_layer(c, h, c.f("mlp_ratio", 4.0)), media::count(c, "num_hidden_layers", 24)));
  e->add("layernorm", layer_norm(h));
  return e;
}

ModulePtr predictor(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024), ph = media::dim(c, "pred_hidden_size", 384);
  auto emb = make("VJEPA2PredictorEmbeddings");
  emb->add("predictor_embeddings", linear(h, ph));
  emb->param("mask_tokens", {media::count(c, "pred_num_mask_tokens", 10), 1, 1, ph});
  auto p = make("VJEPA2Predictor");
  p->add("embeddings", emb);
  p->add("layer", repeat(vj_layer(c, ph, c.f("pred_mlp_ratio", 4.0)), media::count(c, "pred_num_hidden_layers", 12)));
  p->add("layernorm", layer_norm(ph));
  p->add("proj", linear(ph, h));
  return p;
}

MEMFIT_FAMILY({"vjepa2"}, "VJEPA2", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "VJEPA2Model") heads::unsupported(cls);
  auto m = make("VJEPA2Model");
  m->add("encoder", encoder(c));
  m->add("predictor", predictor(c));
  return {m, {"VJEPA2Layer", "VJEPA2PoolerCrossAttentionLayer", "VJEPA2PoolerSelfAttentionLayer",
              "VJEPA2PredictorEmbeddings"}};
});

}  // namespace
}  // namespace memfit
