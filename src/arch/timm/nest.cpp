// timm Nest (timm/models/nest.py) from its registered arguments: PatchEmbed, NestLevels (pos_embed over
// num_blocks x seq_length, ConvPool conv / norm / pool between levels, TransformerLayers), norm, global_pool, head.
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr transformer_layer(const timm::Args& a, std::string_view norm, int64_t dim) {
  auto at = timm::qkv_attention("Attention", dim, a.b("qkv_bias"));
  auto b = make("TransformerLayer");
  b->add("norm1", timm::norm(a, norm, dim));
  b->add("attn", at);
  b->add("drop_path1", leaf("DropPath"));
  b->add("norm2", timm::norm(a, norm, dim));
  b->add("mlp", timm::mlp(dim, static_cast<int64_t>(static_cast<double>(dim) * a.f("mlp_ratio")), dim));
  b->add("drop_path2", leaf("DropPath"));
  return b;
}

Model build(const timm::Args& a) {
  int64_t levels = timm::checked(a.i("num_levels"), 1, 8, "num_levels");
  auto per_level = [&](std::string_view k) {
    auto v = a.ints(k);
    if (v.size() == 1) v.assign(static_cast<size_t>(levels), v[0]);
    if (v.size() != static_cast<size_t>(levels)) a.unsupported(std::string(k) + " length");
    return v;
  };
  auto dims = per_level("embed_dims"), heads = per_level("num_heads"), depths = per_level("depths");
  auto img = a.ints("img_size");
  if (img.size() == 2 && img[0] != img[1]) a.unsupported("non-square img_size");
  int64_t size = timm::checked(img.at(0), 1, 1 << 14, "img_size"), patch = timm::checked(a.i("patch_size"), 1, size, "patch_size");
  int64_t first_blocks = int64_t{1} << (2 * (levels - 1));  // 4 ** (levels - 1)
  auto side = static_cast<int64_t>(std::lround(std::sqrt(static_cast<double>(first_blocks))));
  if (size % patch != 0 || (size / patch) % side != 0) a.unsupported("img_size does not divide into the first level's blocks");
  int64_t num_patches = (size / patch) * (size / patch), seq_length = num_patches / first_blocks;
  std::string norm = a.has("norm_layer") ? a.layer("norm_layer") : "LayerNorm";
  auto root = make("Nest");
  root->add("patch_embed", timm::patch_embed(a.i("in_chans"), dims[0], patch, true, false));
  auto lv = make("Sequential");
  for (int64_t i = 0; i < levels; ++i) {
    int64_t dim = timm::checked(dims[i], 1, 1 << 14, "embed_dims");
    timm::checked(heads[i], 1, dim, "num_heads");
    auto l = make("NestLevel");
    l->param("pos_embed", {1, first_blocks >> (2 * i), seq_length, dim});
    if (i > 0) {
      auto pool = make("ConvPool");
      pool->add("conv", conv2d(dims[i - 1], dim, 3));
      pool->add("norm", timm::norm(a, norm, dim));
      pool->add("pool", leaf("MaxPool2d"));
      l->add("pool", pool);
    } else {
      l->add("pool", leaf("Identity"));
    }
    l->add("transformer_encoder", timm::seq(timm::checked(depths[i], 0, 1024, "depths"), [&](int64_t) { return transformer_layer(a, norm, dim); }));
    lv->add(std::to_string(i), l);
  }
  root->add("levels", lv);
  root->add("norm", timm::norm(a, norm, dims.back()));
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(dims.back(), a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"Nest"}, build);

}  // namespace
}  // namespace memfit
