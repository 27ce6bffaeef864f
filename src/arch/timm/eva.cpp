// timm Eva (timm/models/eva.py) from its registered arguments: PatchEmbed, cls/register tokens + pos_embed, the rotary
// embedding's buffers ('cat' EVA-02, 'dinov3'), EvaBlocks (EvaAttention with fused
// qkv + q/v bias or separate projections, or AttentionRope; SwiGLU / GluMlp / Mlp; gamma layer scale), norm,
// attention pool ('map'), fc_norm, head. EVA, EVA-02, DINOv3, PE (perception encoder) ViTs.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(const timm::Args& a, int64_t dim, int64_t heads, const std::string& norm) {
  bool rope = a.s("attn_type") == "rope", fused = a.b("qkv_fused"), bias = a.b("qkv_bias");
  auto m = make(rope ? "AttentionRope" : "EvaAttention");
  if (fused) {
    m->add("qkv", linear(dim, dim * 3, rope && bias));
    if (!rope && bias) {
      m->param("q_bias", {dim});
      m->buffer("k_bias", {dim}, DType::F32, false);
      m->param("v_bias", {dim});
    }
  } else {
    m->add("q_proj", linear(dim, dim, bias));
    m->add("k_proj", linear(dim, dim, rope && bias));
    m->add("v_proj", linear(dim, dim, bias));
  }
  m->add("q_norm", leaf("Identity"));
  m->add("k_norm", leaf("Identity"));
  m->add("attn_drop", leaf("Dropout"));
  m->add("norm", a.b("scale_attn_inner") ? timm::norm(a, norm, dim) : leaf("Identity"));
  m->add("proj", linear(dim, dim));
  m->add("proj_drop", leaf("Dropout"));
  return m;
}

ModulePtr block(const timm::Args& a, int64_t dim, int64_t heads, const std::string& norm) {
  bool gamma = a.has("init_values"), scale_mlp = a.b("scale_mlp");
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  int64_t align = a.i("swiglu_align_to");
  std::string mlp_norm = scale_mlp ? norm : "";
  auto b = make("EvaBlock");
  b->add("norm1", timm::norm(a, norm, dim));
  b->add("attn", attention(a, dim, heads, norm));
  if (gamma) b->param("gamma_1", {dim});
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", timm::norm(a, norm, dim));
  if (!a.b("swiglu_mlp")) b->add("mlp", timm::mlp_layer(a, "Mlp", dim, hidden, dim, true, mlp_norm));
  else if (scale_mlp || align)
    b->add("mlp", timm::mlp_layer(a, "SwiGLU", dim, align ? hidden + ((align - hidden % align) % align) : hidden, dim,
                                  true, mlp_norm));
  else b->add("mlp", timm::mlp_layer(a, "GluMlp", dim, hidden * 2, dim, true, mlp_norm));
  if (gamma) b->param("gamma_2", {dim});
  b->add("drop_path2", leaf("Identity"));
  return b;
}

// EvaBlockPostNorm: attn, norm1, mlp, norm2 (norms after each residual branch, no layer scale).
ModulePtr post_norm_block(const timm::Args& a, int64_t dim, int64_t heads, const std::string& norm) {
  bool scale_mlp = a.b("scale_mlp");
  int64_t hidden = static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio"));
  std::string mlp_norm = scale_mlp ? norm : "";
  auto b = make("EvaBlockPostNorm");
  b->add("attn", attention(a, dim, heads, norm));
  b->add("norm1", timm::norm(a, norm, dim));
  b->add("drop_path1", leaf("Identity"));
  if (!a.b("swiglu_mlp")) b->add("mlp", timm::mlp_layer(a, "Mlp", dim, hidden, dim, true, mlp_norm));
  else if (scale_mlp) b->add("mlp", timm::mlp_layer(a, "SwiGLU", dim, hidden, dim, true, mlp_norm));
  else b->add("mlp", timm::mlp_layer(a, "GluMlp", dim, hidden * 2, dim, true, mlp_norm));
  b->add("norm2", timm::norm(a, norm, dim));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

// create_rope_embed: non-persistent buffers of the cached embedding (fixed grid) or of the bands / periods.
ModulePtr rope(const timm::Args& a, int64_t dim, int64_t heads, int64_t grid) {
  std::string type = a.s("rope_type");
  bool fixed = !a.b("dynamic_img_size");
  int64_t hd = dim / heads;
  if (type == "cat") {
    auto r = make("RotaryEmbeddingCat");
    if (fixed) r->buffer("pos_embed", {grid, hd * 2}, DType::F32, false);
    else r->buffer("bands", {hd / 4}, DType::F32, false);
    return r;
  }
  if (type == "dinov3") {
    auto r = make("RotaryEmbeddingDinoV3");
    r->buffer("periods", {hd / 4}, DType::F32, false);
    if (fixed) r->buffer("pos_embed_cached", {grid, hd * 2}, DType::F32, false);
    return r;
  }
  // 'mixed' (RotaryEmbeddingMixed) fills its frequencies from tensors at construction: accelerate itself fails on the
  // meta device ("Cannot copy out of meta tensor"), so there is no number to agree with.
  if (type == "mixed") a.unsupported("rope_type 'mixed' cannot be built on the meta device by accelerate either");
  a.unsupported("rope_type " + type);
}

Model build(const timm::Args& a) {
  if (a.f("patch_drop_rate") > 0) a.unsupported("patch dropout");
  int64_t dim = timm::checked(a.i("embed_dim"), 1, 1 << 16, "embed_dim");
  int64_t heads = timm::checked(a.i("num_heads"), 1, dim, "num_heads");
  int64_t depth = timm::checked(a.i("depth"), 0, 1024, "depth");
  std::string pool = a.s("global_pool"), norm = a.layer("norm_layer");
  bool pre = a.b("use_pre_transformer_norm");
  bool fc_norm = a.has("use_fc_norm") ? a.b("use_fc_norm") : pool == "avg";
  bool post = a.has("use_post_transformer_norm") ? a.b("use_post_transformer_norm") : !fc_norm;
  int64_t reg = a.i("num_reg_tokens"), prefix = (a.b("class_token") ? 1 : 0) + reg;

  auto root = make("Eva");
  auto [pe, patches] = timm::patch_embed(a, dim, !pre);
  root->add("patch_embed", pe);
  if (a.b("class_token")) root->param("cls_token", {1, 1, dim});
  if (reg) root->param("reg_token", {1, reg, dim});
  if (a.b("use_abs_pos_emb")) root->param("pos_embed", {1, a.b("no_embed_class") ? patches : patches + prefix, dim});
  root->add("pos_drop", leaf("Dropout"));
  if (a.b("use_rot_pos_emb")) root->add("rope", rope(a, dim, heads, patches));
  root->add("norm_pre", pre ? timm::norm(a, norm, dim) : leaf("Identity"));
  bool post_norm = a.b("use_post_norm");
  if (post_norm && a.b("swiglu_mlp") && a.b("scale_mlp") && a.i("swiglu_align_to")) a.unsupported("post-norm SwiGLU align_to");
  root->add("blocks", timm::seq(depth, [&](int64_t) {
              return post_norm ? post_norm_block(a, dim, heads, norm) : block(a, dim, heads, norm);
            }, "ModuleList"));
  root->add("norm", post ? timm::norm(a, norm, dim) : leaf("Identity"));
  if (pool == "map") {
    double ratio = a.has("attn_pool_mlp_ratio") ? a.f("attn_pool_mlp_ratio") : a.f("mlp_ratio");
    root->add("attn_pool", timm::attn_pool_latent(a, dim, static_cast<int64_t>(dim * ratio), norm));
  }
  root->add("fc_norm", fc_norm ? timm::norm(a, norm, dim) : leaf("Identity"));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dim, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Eva"}, build);

}  // namespace
}  // namespace memfit
