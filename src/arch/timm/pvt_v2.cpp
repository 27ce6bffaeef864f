// timm PyramidVisionTransformerV2 (timm/models/pvt_v2.py): OverlapPatchEmbed stem, stages (OverlapPatchEmbed
// downsample, Blocks with spatial-reduction Attention q/kv/proj/sr/norm and MlpWithDepthwiseConv, norm), head.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr overlap_embed(int64_t in, int64_t dim, int64_t patch) {
  auto p = make("OverlapPatchEmbed");
  p->add("proj", conv2d(in, dim, patch));
  p->add("norm", layer_norm(dim));
  return p;
}

ModulePtr pvt_block(int64_t dim, int64_t sr, int64_t hidden) {
  auto a = make("Attention");
  a->add("q", linear(dim, dim));
  a->add("kv", linear(dim, dim * 2));
  a->add("attn_drop", leaf("Dropout"));
  a->add("proj", linear(dim, dim));
  a->add("proj_drop", leaf("Dropout"));
  if (sr > 1) {
    a->add("sr", conv2d(dim, dim, sr));
    a->add("norm", layer_norm(dim));
  }
  auto m = make("MlpWithDepthwiseConv");
  m->add("fc1", linear(dim, hidden));
  m->add("relu", leaf("Identity"));
  m->add("dwconv", conv2d(hidden, hidden, 3, true, hidden));
  m->add("act", leaf("GELU"));
  m->add("fc2", linear(hidden, dim));
  m->add("drop", leaf("Dropout"));
  auto b = make("Block");
  b->add("norm1", layer_norm(dim));
  b->add("attn", a);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", m);
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, std::pair<std::vector<int64_t>, std::vector<int64_t>>, std::less<>> variants{
      {"pvt_v2_b0", {{2, 2, 2, 2}, {32, 64, 160, 256}}}, {"pvt_v2_b1", {{2, 2, 2, 2}, {64, 128, 320, 512}}},
      {"pvt_v2_b2", {{3, 4, 6, 3}, {64, 128, 320, 512}}}, {"pvt_v2_b3", {{3, 4, 18, 3}, {64, 128, 320, 512}}},
      {"pvt_v2_b4", {{3, 8, 27, 3}, {64, 128, 320, 512}}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const auto& [depths, dims] = it->second;
  const int64_t sr[] = {8, 4, 2, 1}, mlp_ratio[] = {8, 8, 4, 4};
  auto root = make("PyramidVisionTransformerV2");
  root->add("patch_embed", overlap_embed(timm::in_chans(c), dims[0], 7));
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (int i = 0; i < 4; ++i) {
    auto st = make("PyramidVisionTransformerStage");
    if (i > 0) st->add("downsample", overlap_embed(prev, dims[i], 3));
    st->add("blocks", repeat(pvt_block(dims[i], sr[i], dims[i] * mlp_ratio[i]), depths[i]));
    st->add("norm", layer_norm(dims[i]));
    stages->add(std::to_string(i), st);
    prev = dims[i];
  }
  root->add("stages", stages);
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(prev, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"pvt_v2_"}, build);

}  // namespace
}  // namespace memfit
