// timm Beit (timm/models/beit.py): PatchEmbed, cls_token, Blocks with gamma_1/gamma_2 layer scale and an Attention
// with q/v bias (k_bias buffer) and its own relative_position_bias_table / index, fc_norm (avg pool), head.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Variant {
  int64_t dim, depth, heads, img;
};

ModulePtr beit_block(int64_t dim, int64_t heads, int64_t grid) {
  auto a = make("Attention");
  a->param("q_bias", {dim});
  a->buffer("k_bias", {dim}, DType::F32, false);
  a->param("v_bias", {dim});
  a->param("relative_position_bias_table", {(2 * grid - 1) * (2 * grid - 1) + 3, heads});
  a->buffer("relative_position_index", {grid * grid + 1, grid * grid + 1}, DType::I64, false);
  a->add("qkv", linear(dim, dim * 3, false));
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  auto b = make("Block");
  b->param("gamma_1", {dim});
  b->param("gamma_2", {dim});
  b->add("norm1", layer_norm(dim));
  b->add("attn", a);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, dim * 4, dim));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Variant, std::less<>> variants{
      {"beit_base_patch16_224", {768, 12, 12, 224}},   {"beit_base_patch16_384", {768, 12, 12, 384}},
      {"beit_large_patch16_224", {1024, 24, 16, 224}}, {"beit_large_patch16_384", {1024, 24, 16, 384}},
      {"beit_large_patch16_512", {1024, 24, 16, 512}}, {"beitv2_base_patch16_224", {768, 12, 12, 224}},
      {"beitv2_large_patch16_224", {1024, 24, 16, 224}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  int64_t grid = timm::img_size(c, v.img) / 16;
  auto root = make("Beit");
  root->add("patch_embed", timm::patch_embed(timm::in_chans(c), v.dim, 16));
  root->param("cls_token", {1, 1, v.dim});
  root->add("pos_drop", leaf("Dropout"));
  root->add("blocks", repeat(beit_block(v.dim, v.heads, grid), v.depth));
  root->add("norm", leaf("Identity"));
  root->add("fc_norm", layer_norm(v.dim));
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(v.dim, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"beit"}, build);

}  // namespace
}  // namespace memfit
