// DINOv3 ViT: transformers' modeling_dinov3_vit.py (DINOv3ViTModel, DINOv3ViTBackbone). Embeddings of cls, mask and
// register tokens plus a patch Conv2d (no position table: 2-D RoPE, whose inv_freq is a non-persistent float32
// buffer of ceil(head_dim / 4) entries), the encoder under `model.layer.N` (norm1, k/v/q/o projections with
// per-projection biases, layer scales, an MLP or a gated MLP), and a final LayerNorm.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr layer(const Config& c, int64_t h) {
  int64_t inter = media::dim(c, "intermediate_size", 1536);
  auto attn = make("DINOv3ViTAttention");
  attn->add("k_proj", linear(h, h, c.b("key_bias", false)));
  attn->add("v_proj", linear(h, h, c.b("value_bias", true)));
  attn->add("q_proj", linear(h, h, c.b("query_bias", true)));
  attn->add("o_proj", linear(h, h, c.b("proj_bias", true)));
  auto scale = [&] {
    auto s = make("DINOv3ViTLayerScale");
    s->param("lambda1", {h});
    return s;
  };
  bool bias = c.b("mlp_bias", true), gated = c.b("use_gated_mlp", false);
  auto mlp = make(gated ? "DINOv3ViTGatedMLP" : "DINOv3ViTMLP");
  if (gated) mlp->add("gate_proj", linear(h, inter, bias));
  mlp->add("up_proj", linear(h, inter, bias));
  mlp->add("down_proj", linear(inter, h, bias));
  mlp->add("act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto l = make("DINOv3ViTLayer");
  l->add("norm1", layer_norm(h));
  l->add("attention", attn);
  l->add("layer_scale1", scale());
  l->add("drop_path", leaf(c.f("drop_path_rate", 0) > 0 ? "Dinov3ViTDropPath" : "Identity"));
  l->add("norm2", layer_norm(h));
  l->add("mlp", mlp);
  l->add("layer_scale2", scale());
  return l;
}

ModulePtr model(const Config& c, std::string cls) {
  int64_t h = media::dim(c, "hidden_size", 384), heads = media::dim(c, "num_attention_heads", 6);
  auto [ph, pw] = media::pair(c, "patch_size", 16);
  auto emb = make("DINOv3ViTEmbeddings");
  emb->param("cls_token", {1, 1, h});
  emb->param("mask_token", {1, 1, h});
  emb->param("register_tokens", {1, media::count(c, "num_register_tokens", 0), h});
  emb->add("patch_embeddings", conv2d(media::dim(c, "num_channels", 3), h, ph, pw));
  // torch.arange(0, 1, 4 / head_dim): ceil(1 / (4 / head_dim)) frequencies, computed in double as torch does.
  auto freqs = static_cast<int64_t>(std::ceil(1.0 / (4.0 / static_cast<double>(h / heads))));
  media::require(c, h / heads >= 1, "hidden_size smaller than num_attention_heads");
  auto rope = make("DINOv3ViTRopePositionEmbedding");
  rope->buffer("inv_freq", {freqs}, DType::F32, false);
  auto enc = make("DINOv3ViTEncoder");
  enc->add("layer", repeat(layer(c, h), media::count(c, "num_hidden_layers", 12)));
  auto m = make(std::move(cls));
  m->add("embeddings", emb);
  m->add("rope_embeddings", rope);
  m->add("model", enc);
  m->add("norm", layer_norm(h));
  return m;
}

MEMFIT_FAMILY({"dinov3_vit"}, "DINOv3ViT", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "DINOv3ViTModel" && cls != "DINOv3ViTBackbone") heads::unsupported(cls);
  return {model(c, std::string(cls)), {"DINOv3ViTLayer"}};
});

}  // namespace
}  // namespace memfit
