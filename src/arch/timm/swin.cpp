// timm SwinTransformer (timm/models/swin_transformer.py): PatchEmbed (+norm), SwinTransformerStages (PatchMerging
// downsample, SwinTransformerBlocks with WindowAttention's relative_position_bias_table / index and the shifted
// blocks' attn_mask buffer), norm, ClassifierHead.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  int64_t window, embed;
  std::vector<int64_t> depths, heads;
};

ModulePtr swin_block(int64_t dim, int64_t heads, int64_t res, int64_t window, bool shifted) {
  int64_t win = std::min(res, window);
  bool shift = shifted && res > window;
  int64_t area = win * win;
  auto b = make("SwinTransformerBlock");
  b->add("norm1", layer_norm(dim));
  auto a = make("WindowAttention");
  a->param("relative_position_bias_table", {(2 * win - 1) * (2 * win - 1), heads});
  a->buffer("relative_position_index", {area, area}, DType::I64, false);
  a->add("qkv", linear(dim, dim * 3));
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  a->add("softmax", leaf("Softmax"));
  b->add("attn", a);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, 4 * dim, dim));
  b->add("drop_path2", leaf("Identity"));
  if (shift) {
    int64_t padded = (res + win - 1) / win * win;
    b->buffer("attn_mask", {(padded / win) * (padded / win), area, area}, DType::F32, false);
  }
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Variant, std::less<>> variants{
      {"swin_tiny_patch4_window7_224", {7, 96, {2, 2, 6, 2}, {3, 6, 12, 24}}},
      {"swin_small_patch4_window7_224", {7, 96, {2, 2, 18, 2}, {3, 6, 12, 24}}},
      {"swin_base_patch4_window7_224", {7, 128, {2, 2, 18, 2}, {4, 8, 16, 32}}},
      {"swin_base_patch4_window12_384", {12, 128, {2, 2, 18, 2}, {4, 8, 16, 32}}},
      {"swin_large_patch4_window7_224", {7, 192, {2, 2, 18, 2}, {6, 12, 24, 48}}},
      {"swin_large_patch4_window12_384", {12, 192, {2, 2, 18, 2}, {6, 12, 24, 48}}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const Variant& v = it->second;
  int64_t img = timm::checked(timm::img_size(c, arch.ends_with("384") ? 384 : 224), 32, 1 << 16, "img_size");
  int64_t grid = img / 4;
  auto root = make("SwinTransformer");
  root->add("patch_embed", timm::patch_embed(timm::in_chans(c), v.embed, 4, true, true));
  auto layers = make("Sequential");
  int64_t in = v.embed, scale = 1;
  for (int i = 0; i < 4; ++i) {
    int64_t out = v.embed << i;
    if (i > 0) scale *= 2;
    int64_t res = grid / scale;
    auto st = make("SwinTransformerStage");
    if (i > 0) {
      auto pm = make("PatchMerging");
      pm->add("norm", layer_norm(4 * in));
      pm->add("reduction", linear(4 * in, out, false));
      st->add("downsample", pm);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    auto even = swin_block(out, v.heads[i], res, v.window, false);
    auto odd = swin_block(out, v.heads[i], res, v.window, true);
    st->add("blocks", timm::seq(v.depths[i], [&](int64_t k) { return k % 2 ? odd : even; }));
    layers->add(std::to_string(i), st);
    in = out;
  }
  root->add("layers", layers);
  root->add("norm", layer_norm(in));
  root->add("head", timm::classifier_head(in, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"swin_"}, build);

}  // namespace
}  // namespace memfit
