// timm Eva (timm/models/eva.py) for the EVA-02 models: PatchEmbed, cls_token + pos_embed, RotaryEmbeddingCat (rope
// pos_embed buffer), EvaBlocks (EvaAttention fused qkv + q/v bias or separate q/k/v projections; SwiGLU with norm or
// packed GluMlp), fc_norm (avg pool), head.
#include <map>

#include "arch/timm_layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  int64_t dim, depth, heads, img;
  bool separate_qkv;  // qkv_fused=False + scale_mlp=True (base/large)
};

ModulePtr eva_block(const Variant& v) {
  int64_t dim = v.dim, hidden = static_cast<int64_t>(dim * (4.0 * 2 / 3));
  auto a = make("EvaAttention");
  if (v.separate_qkv) {
    a->add("q_proj", linear(dim, dim));
    a->add("k_proj", linear(dim, dim, false));
    a->add("v_proj", linear(dim, dim));
  } else {
    a->add("qkv", linear(dim, dim * 3, false));
    a->param("q_bias", {dim});
    a->buffer("k_bias", {dim}, DType::F32, false);
    a->param("v_bias", {dim});
  }
  a->add("q_norm", leaf("Identity"));
  a->add("k_norm", leaf("Identity"));
  a->add("attn_drop", leaf("Dropout"));
  a->add("norm", leaf("Identity"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  auto b = make("EvaBlock");
  b->add("norm1", layer_norm(dim));
  b->add("attn", a);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  if (v.separate_qkv) {
    b->add("mlp", timm::swiglu(dim, hidden, dim, true));
  } else {
    auto m = make("GluMlp");
    m->add("fc1", linear(dim, hidden * 2));
    m->add("act", leaf("SiLU"));
    m->add("drop1", leaf("Dropout"));
    m->add("norm", leaf("Identity"));
    m->add("fc2", linear(hidden, dim));
    m->add("drop2", leaf("Dropout"));
    b->add("mlp", m);
  }
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Variant, std::less<>> variants{
      {"eva02_tiny_patch14_224", {192, 12, 3, 224, false}},  {"eva02_small_patch14_224", {384, 12, 6, 224, false}},
      {"eva02_base_patch14_224", {768, 12, 12, 224, true}},  {"eva02_large_patch14_224", {1024, 24, 16, 224, true}},
      {"eva02_tiny_patch14_336", {192, 12, 3, 336, false}},  {"eva02_small_patch14_336", {384, 12, 6, 336, false}},
      {"eva02_base_patch14_448", {768, 12, 12, 448, true}},  {"eva02_large_patch14_448", {1024, 24, 16, 448, true}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  int64_t grid = timm::img_size(c, v.img) / 14;
  auto root = make("Eva");
  root->add("patch_embed", timm::patch_embed(timm::in_chans(c), v.dim, 14));
  root->param("cls_token", {1, 1, v.dim});
  root->param("pos_embed", {1, grid * grid + 1, v.dim});
  root->add("pos_drop", leaf("Dropout"));
  auto rope = make("RotaryEmbeddingCat");
  rope->buffer("pos_embed", {grid * grid, 2 * (v.dim / v.heads)}, DType::F32, false);
  root->add("rope", rope);
  root->add("norm_pre", leaf("Identity"));
  root->add("blocks", repeat(eva_block(v), v.depth));
  root->add("norm", leaf("Identity"));
  root->add("fc_norm", layer_norm(v.dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(v.dim, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"eva02_"}, build);

}  // namespace
}  // namespace memfit
