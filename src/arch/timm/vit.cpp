// timm VisionTransformer (timm/models/vision_transformer.py), built from the arguments its registered models pass
// (data/timm/models.json): PatchEmbed, cls/register tokens + pos_embed, norm_pre, Blocks (norm1, attn, ls1,
// drop_path1, norm2, mlp, ls2, drop_path2), norm, attention pool ('map'), fc_norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct VitShape {
  int64_t dim, heads, hidden;
  bool qkv_bias, qk_norm, scale_attn_norm, scale_mlp_norm, proj_bias, layer_scale;
  std::string norm, mlp;
};

ModulePtr layer_scale(int64_t dim, bool on) {
  if (!on) return leaf("Identity");
  auto ls = make("LayerScale");
  ls->param("gamma", {dim});
  return ls;
}

ModulePtr attention(const VitShape& s, const timm::Args& a) {
  int64_t hd = s.dim / s.heads;
  auto m = make("Attention");
  m->add("qkv", linear(s.dim, s.dim * 3, s.qkv_bias));
  m->add("q_norm", s.qk_norm ? timm::norm(a, s.norm, hd) : leaf("Identity"));
  m->add("k_norm", s.qk_norm ? timm::norm(a, s.norm, hd) : leaf("Identity"));
  m->add("attn_drop", leaf("Dropout"));
  m->add("norm", s.scale_attn_norm ? timm::norm(a, s.norm, s.dim) : leaf("Identity"));
  m->add("proj", linear(s.dim, s.dim, s.proj_bias));
  m->add("proj_drop", leaf("Dropout"));
  return m;
}

ModulePtr block(const VitShape& s, const timm::Args& a) {
  auto b = make("Block");
  b->add("norm1", timm::norm(a, s.norm, s.dim));
  b->add("attn", attention(s, a));
  b->add("ls1", layer_scale(s.dim, s.layer_scale));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", timm::norm(a, s.norm, s.dim));
  b->add("mlp", timm::mlp_layer(a, s.mlp, s.dim, s.hidden, s.dim, s.proj_bias, s.scale_mlp_norm ? s.norm : ""));
  b->add("ls2", layer_scale(s.dim, s.layer_scale));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

// ResPostBlock: norm after attention / mlp (no layer scale modules).
ModulePtr res_post_block(const VitShape& s, const timm::Args& a) {
  auto b = make("ResPostBlock");
  b->add("attn", attention(s, a));
  b->add("norm1", timm::norm(a, s.norm, s.dim));
  b->add("drop_path1", leaf("Identity"));
  b->add("mlp", timm::mlp_layer(a, s.mlp, s.dim, s.hidden, s.dim, s.proj_bias, ""));
  b->add("norm2", timm::norm(a, s.norm, s.dim));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

// VisionTransformer, or DeiT's VisionTransformerDistilled (a dist_token, one more pos_embed row, head_dist).
Model build(const timm::Args& a, bool distilled) {
  if (a.layer("embed_layer") != "PatchEmbed") a.unsupported("embed_layer " + a.layer("embed_layer"));
  if (a.has("attn_layer") && a.layer("attn_layer") != "Attention") a.unsupported("attn_layer " + a.layer("attn_layer"));
  std::string block_fn = a.layer("block_fn");
  if (block_fn != "Block" && block_fn != "ResPostBlock") a.unsupported("block_fn " + block_fn);
  std::string pool = a.s("global_pool");
  if (pool == "prr") a.unsupported("global_pool 'prr'");
  VitShape s{};
  s.dim = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  s.heads = timm::checked(a.i("num_heads"), 1, s.dim, "num_heads");
  s.hidden = static_cast<int64_t>(static_cast<double>(s.dim) * a.f("mlp_ratio"));
  s.qkv_bias = a.b("qkv_bias");
  s.qk_norm = a.b("qk_norm");
  s.scale_attn_norm = a.b("scale_attn_norm");
  s.scale_mlp_norm = a.b("scale_mlp_norm");
  s.proj_bias = a.b("proj_bias");
  s.layer_scale = a.b("init_values");
  s.norm = a.has("norm_layer") ? a.layer("norm_layer") : "LayerNorm";
  s.mlp = a.layer("mlp_layer");
  int64_t depth = timm::checked(a.i("depth"), 0, 1024, "depth");
  bool class_token = a.b("class_token"), pre_norm = a.b("pre_norm"), final_norm = a.b("final_norm");
  int64_t reg = a.i("reg_tokens");
  bool use_fc_norm = a.has("fc_norm") ? a.b("fc_norm") : (pool == "avg" || pool == "avgmax" || pool == "max");
  int64_t classes = a.i("num_classes");

  auto root = make(distilled ? "VisionTransformerDistilled" : "VisionTransformer");
  auto [pe, num_patches] = timm::patch_embed(a, s.dim, !pre_norm);
  root->add("patch_embed", pe);
  if (class_token) root->param("cls_token", {1, 1, s.dim});
  if (reg) root->param("reg_token", {1, reg, s.dim});
  int64_t prefix = (class_token ? 1 : 0) + reg + (distilled ? 1 : 0);
  std::string pos = a.s("pos_embed");
  if (!pos.empty() && pos != "none")
    root->param("pos_embed", {1, a.b("no_embed_class") ? num_patches : num_patches + prefix, s.dim});
  if (distilled) root->param("dist_token", {1, 1, s.dim});
  root->add("pos_drop", leaf("Dropout"));
  root->add("patch_drop", a.f("patch_drop_rate") > 0 ? leaf("PatchDropout") : leaf("Identity"));
  root->add("norm_pre", pre_norm ? timm::norm(a, s.norm, s.dim) : leaf("Identity"));
  root->add("blocks", timm::seq(depth, [&](int64_t) {
              return block_fn == "Block" ? block(s, a) : res_post_block(s, a);
            }));
  root->add("norm", final_norm && !use_fc_norm ? timm::norm(a, s.norm, s.dim) : leaf("Identity"));
  if (pool == "map") root->add("attn_pool", timm::attn_pool_latent(a, s.dim, s.hidden, s.norm));
  root->add("fc_norm", final_norm && use_fc_norm ? timm::norm(a, s.norm, s.dim) : leaf("Identity"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(s.dim, classes));
  if (distilled) root->add("head_dist", timm::fc_or_identity(s.dim, classes));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"VisionTransformer"}, [](const timm::Args& a) { return build(a, false); });
MEMFIT_TIMM_CLASS({"VisionTransformerDistilled"}, [](const timm::Args& a) { return build(a, true); });

}  // namespace
}  // namespace memfit
