// timm VisionTransformer (timm/models/vision_transformer.py), built from the arguments its registered models pass
// (data/timm/models.json): PatchEmbed, cls/register tokens + pos_embed, norm_pre, Blocks (norm1, attn, ls1,
// drop_path1, norm2, mlp, ls2, drop_path2), norm, attention pool ('map'), fc_norm, head.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
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

// DiffAttention's lambda_q1 / k1 / q2 / k2 [head_dim] and sub_norm (RmsNorm over 2 * head_dim).
void diff_lambdas(Module& m, int64_t hd) {
  for (const char* n : {"lambda_q1", "lambda_k1", "lambda_q2", "lambda_k2"}) m.param(n, {hd});
  m.add("sub_norm", rms_norm("RmsNorm", 2 * hd));
}

ModulePtr attention(const VitShape& s, const timm::Args& a) {
  bool diff = a.has("attn_layer") && a.layer("attn_layer") == "diff";
  int64_t hd = diff ? s.dim / s.heads / 2 : s.dim / s.heads;
  auto m = make(diff ? "DiffAttention" : "Attention");
  m->add("qkv", linear(s.dim, s.dim * 3, s.qkv_bias));
  m->add("q_norm", s.qk_norm ? timm::norm(a, s.norm, hd) : leaf("Identity"));
  m->add("k_norm", s.qk_norm ? timm::norm(a, s.norm, hd) : leaf("Identity"));
  m->add("attn_drop", leaf("Dropout"));
  m->add("norm", s.scale_attn_norm ? timm::norm(a, s.norm, s.dim) : leaf("Identity"));
  m->add("proj", linear(s.dim, s.dim, s.proj_bias));
  m->add("proj_drop", leaf("Dropout"));
  if (diff) diff_lambdas(*m, hd);
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

// ParallelScalingBlock / DiffParallelScalingBlock: one in_proj for qkv and the mlp, mlp_bias when qkv has none,
// separate attn / mlp out projections (one fused out_proj for the diff variant), one LayerScale.
ModulePtr parallel_scaling_block(const VitShape& s, const timm::Args& a, bool diff) {
  int64_t hd = diff ? s.dim / s.heads / 2 : s.dim / s.heads;
  auto b = make(diff ? "DiffParallelScalingBlock" : "ParallelScalingBlock");
  b->add("in_norm", timm::norm(a, s.norm, s.dim));
  b->add("in_proj", linear(s.dim, s.hidden + 3 * s.dim, s.qkv_bias));
  if (!s.qkv_bias) b->param("mlp_bias", {s.hidden});
  b->add("q_norm", s.qk_norm ? timm::norm(a, s.norm, hd) : leaf("Identity"));
  b->add("k_norm", s.qk_norm ? timm::norm(a, s.norm, hd) : leaf("Identity"));
  b->add("attn_drop", leaf("Dropout"));
  if (diff) diff_lambdas(*b, hd);
  b->add("mlp_drop", leaf("Dropout"));
  b->add("mlp_act", leaf("GELU"));
  if (diff) {
    b->add("out_proj", linear(s.dim + s.hidden, s.dim, s.proj_bias));
  } else {
    b->add("attn_out_proj", linear(s.dim, s.dim, s.proj_bias));
    b->add("mlp_out_proj", linear(s.hidden, s.dim, s.proj_bias));
  }
  b->add("ls", layer_scale(s.dim, a.has("init_values")));  // `is not None` here, truthiness in Block
  b->add("drop_path", leaf("Identity"));
  return b;
}

// ParallelThingsBlock: two parallel (norm, attn, ls, drop_path) and (norm, mlp, ls, drop_path) branches.
ModulePtr parallel_things_block(const VitShape& s, const timm::Args& a) {
  auto b = make("ParallelThingsBlock");
  auto attns = make("ModuleList"), ffns = make("ModuleList");
  for (int i = 0; i < 2; ++i) {
    auto at = make("Sequential"), ff = make("Sequential");
    at->add("norm", timm::norm(a, s.norm, s.dim));
    at->add("attn", attention(s, a));
    at->add("ls", layer_scale(s.dim, s.layer_scale));
    at->add("drop_path", leaf("Identity"));
    ff->add("norm", timm::norm(a, s.norm, s.dim));
    ff->add("mlp", timm::mlp_layer(a, s.mlp, s.dim, s.hidden, s.dim, s.proj_bias, s.scale_mlp_norm ? s.norm : ""));
    ff->add("ls", layer_scale(s.dim, s.layer_scale));
    ff->add("drop_path", leaf("Identity"));
    attns->add(std::to_string(i), at);
    ffns->add(std::to_string(i), ff);
  }
  b->add("attns", attns);
  b->add("ffns", ffns);
  return b;
}

// VisionTransformer, or DeiT's VisionTransformerDistilled (a dist_token, one more pos_embed row, head_dist).
Model build(const timm::Args& a, bool distilled) {
  if (a.layer("embed_layer") != "PatchEmbed") a.unsupported("embed_layer " + a.layer("embed_layer"));
  if (a.has("attn_layer") && a.layer("attn_layer") != "Attention" && a.layer("attn_layer") != "diff")
    a.unsupported("attn_layer " + a.layer("attn_layer"));
  std::string block_fn = a.layer("block_fn");
  if (block_fn != "Block" && block_fn != "ResPostBlock" && block_fn != "ParallelScalingBlock" &&
      block_fn != "DiffParallelScalingBlock" && block_fn != "ParallelThingsBlock")
    a.unsupported("block_fn " + block_fn);
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
              if (block_fn == "ResPostBlock") return res_post_block(s, a);
              if (block_fn == "ParallelThingsBlock") return parallel_things_block(s, a);
              if (block_fn != "Block") return parallel_scaling_block(s, a, block_fn == "DiffParallelScalingBlock");
              return block(s, a);
            }));
  root->add("norm", final_norm && !use_fc_norm ? timm::norm(a, s.norm, s.dim) : leaf("Identity"));
  if (pool == "map") root->add("attn_pool", timm::attn_pool_latent(a, s.dim, s.hidden, s.norm));
  root->add("fc_norm", final_norm && use_fc_norm ? timm::norm(a, s.norm, s.dim) : leaf("Identity"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(s.dim, classes));
  if (distilled) root->add("head_dist", timm::fc_or_identity(s.dim, classes));
  return timm::model(root);
}

// NaFlexVit (timm/models/naflexvit.py): its NaFlexVitCfg (overlaid by the config's kwargs) with ViT Blocks, under
// NaFlexEmbeds (cls / reg tokens, linear or conv patch proj, learned or factorized pos_embed over
// pos_embed_grid_size). EVA-style blocks (rope, SwiGLU, gated attention) are refused.
Model build_naflex(const timm::Args& outer) {
  const Json& cfg_json = outer.raw("cfg");
  if (!cfg_json.is_object()) outer.unsupported("no NaFlexVitCfg");
  Json c = cfg_json;
  for (const auto& [k, v] : outer.all().items())
    if (k != "cfg" && c.contains(k)) c[k] = v;
  timm::Args a(c, outer.arch(), outer.cls());
  std::string rope = a.s("rope_type");
  if (a.s("attn_type") != "standard" || (!rope.empty() && rope != "none") || a.b("swiglu_mlp") || a.b("attn_gated"))
    a.unsupported("EVA-style NaFlexVit blocks");
  if (a.has("block_fn") || a.has("mlp_layer") || a.has("input_norm_layer") || a.b("enable_patch_interpolator"))
    a.unsupported("block_fn / mlp_layer / input_norm_layer / patch interpolator");
  if (a.has("attn_layer") && a.layer("attn_layer") != "diff") a.unsupported("attn_layer " + a.layer("attn_layer"));
  Json kw = c;
  kw["scale_attn_norm"] = c["scale_attn_inner_norm"];
  kw["mlp_layer"] = "Mlp";
  kw["norm_layer"] = a.has("norm_layer") ? c["norm_layer"] : Json("LayerNorm");
  timm::Args b(kw, outer.arch(), outer.cls());
  VitShape s{};
  s.dim = timm::checked(b.i("embed_dim"), 1, 1 << 16, "embed_dim");
  s.heads = timm::checked(b.i("num_heads"), 1, s.dim, "num_heads");
  s.hidden = static_cast<int64_t>(static_cast<double>(s.dim) * b.f("mlp_ratio"));
  s.qkv_bias = b.b("qkv_bias"), s.qk_norm = b.b("qk_norm"), s.proj_bias = b.b("proj_bias");
  s.scale_attn_norm = b.b("scale_attn_norm"), s.scale_mlp_norm = b.b("scale_mlp_norm");
  s.layer_scale = b.b("init_values");
  s.norm = b.layer("norm_layer"), s.mlp = "Mlp";
  std::string pool = b.s("global_pool");
  bool pre_norm = b.b("pre_norm"), final_norm = b.b("final_norm");
  bool fc_norm = b.has("fc_norm") ? b.b("fc_norm") : pool == "avg";
  int64_t reg = b.i("reg_tokens"), in = timm::checked(outer.i("in_chans"), 1, 4096, "in_chans");
  auto patch = b.ints("patch_size");
  if (patch.size() == 1) patch.push_back(patch[0]);
  if (patch.size() != 2) b.unsupported("patch_size");
  std::vector<int64_t> grid = b.has("pos_embed_grid_size") ? b.ints("pos_embed_grid_size") : std::vector<int64_t>{};
  if (grid.empty() && outer.has("img_size")) {
    grid = outer.ints("img_size");
    if (grid.size() == 1) grid.push_back(grid[0]);
    for (int k = 0; k < 2 && grid.size() == 2; ++k) grid[k] /= timm::checked(patch[k], 1, 1 << 12, "patch_size");
  }
  std::string pos = b.s("pos_embed");
  if ((pos == "learned" || pos == "factorized") && grid.size() != 2) b.unsupported("pos_embed without a grid size");

  auto root = make("NaFlexVit");
  auto e = make("NaFlexEmbeds");
  if (b.b("class_token")) e->param("cls_token", {1, 1, s.dim});
  if (reg) e->param("reg_token", {1, reg, s.dim});
  if (b.s("embed_proj_type") == "linear") e->add("proj", linear(patch[0] * patch[1] * in, s.dim, !pre_norm));
  else e->add("proj", conv2d(in, s.dim, patch[0], patch[1], !pre_norm));
  e->add("norm", b.has("embed_norm_layer") ? timm::norm(b, b.layer("embed_norm_layer"), s.dim) : leaf("Identity"));
  if (pos == "factorized") {
    e->param("pos_embed_y", {1, grid[0], s.dim});
    e->param("pos_embed_x", {1, grid[1], s.dim});
  } else if (!pos.empty() && pos != "none") {
    e->param("pos_embed", {1, grid[0], grid[1], s.dim});
  }
  e->add("pos_drop", leaf("Dropout"));
  root->add("embeds", e);
  root->add("norm_pre", pre_norm ? timm::norm(b, s.norm, s.dim) : leaf("Identity"));
  root->add("blocks", timm::seq(timm::checked(b.i("depth"), 0, 1024, "depth"), [&](int64_t) { return block(s, b); }));
  root->add("norm", final_norm && !fc_norm ? timm::norm(b, s.norm, s.dim) : leaf("Identity"));
  if (pool == "map") {
    double ratio = b.has("attn_pool_mlp_ratio") ? b.f("attn_pool_mlp_ratio") : b.f("mlp_ratio");
    root->add("attn_pool", timm::attn_pool_latent(b, s.dim, static_cast<int64_t>(static_cast<double>(s.dim) * ratio), s.norm));
  }
  root->add("fc_norm", final_norm && fc_norm ? timm::norm(b, s.norm, s.dim) : leaf("Identity"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(s.dim, outer.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"VisionTransformer"}, [](const timm::Args& a) { return build(a, false); });
MEMFIT_TIMM_CLASS({"NaFlexVit"}, build_naflex);
MEMFIT_TIMM_CLASS({"VisionTransformerDistilled"}, [](const timm::Args& a) { return build(a, true); });

}  // namespace
}  // namespace memfit
