// timm PyramidVisionTransformerV2 (timm/models/pvt_v2.py): OverlapPatchEmbed stem, stages (OverlapPatchEmbed
// downsample, Blocks with spatial-reduction Attention q/kv/proj/sr/norm (pool + 1x1 sr + act with `linear`) and
// MlpWithDepthwiseConv, norm), head; from the registered arguments.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr overlap_embed(int64_t in, int64_t dim, int64_t patch) {
  auto p = make("OverlapPatchEmbed");
  p->add("proj", conv2d(in, dim, patch));
  p->add("norm", layer_norm(dim));
  return p;
}

ModulePtr pvt_block(const timm::Args& a, int64_t dim, int64_t sr, int64_t hidden, bool lin) {
  bool bias = a.b("qkv_bias");
  auto at = make("Attention");
  at->add("q", linear(dim, dim, bias));
  at->add("kv", linear(dim, dim * 2, bias));
  at->add("attn_drop", leaf("Dropout"));
  at->add("proj", linear(dim, dim));
  at->add("proj_drop", leaf("Dropout"));
  if (lin) at->add("pool", leaf("AdaptiveAvgPool2d"));
  if (sr > 1 || lin) {
    at->add("sr", conv2d(dim, dim, lin ? 1 : sr));
    at->add("norm", layer_norm(dim));
  }
  if (lin) at->add("act", leaf("GELU"));
  auto m = make("MlpWithDepthwiseConv");
  m->add("fc1", linear(dim, hidden));
  m->add("relu", leaf(lin ? "ReLU" : "Identity"));
  m->add("dwconv", conv2d(hidden, hidden, 3, true, hidden));
  m->add("act", leaf("GELU"));
  m->add("fc2", linear(hidden, dim));
  m->add("drop", leaf("Dropout"));
  auto b = make("Block");
  b->add("norm1", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("attn", at);
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", timm::norm(a, a.layer("norm_layer"), dim));
  b->add("mlp", m);
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  auto depths = a.ints("depths"), dims = a.ints("embed_dims"), heads = a.ints("num_heads"), sr = a.ints("sr_ratios");
  const Json& ratios = a.raw("mlp_ratios");
  size_t n = depths.size();
  if (n == 0 || dims.size() < n || heads.size() < n || sr.size() < n || !ratios.is_array() || ratios.size() < n)
    a.unsupported("depths / embed_dims / num_heads / sr_ratios / mlp_ratios lengths");
  bool lin = a.b("linear");
  auto root = make("PyramidVisionTransformerV2");
  root->add("patch_embed", overlap_embed(a.i("in_chans"), dims[0], 7));
  auto stages = make("Sequential");
  int64_t prev = dims[0];
  for (size_t i = 0; i < n; ++i) {
    int64_t d = timm::checked(dims[i], 1, 1 << 14, "embed_dims");
    int64_t hidden = static_cast<int64_t>(static_cast<double>(d) * ratios[i].get<double>());
    auto st = make("PyramidVisionTransformerStage");
    if (i > 0) st->add("downsample", overlap_embed(prev, d, 3));
    st->add("blocks", repeat(pvt_block(a, d, timm::checked(sr[i], 1, 64, "sr_ratios"), hidden, lin), timm::checked(depths[i], 0, 1024, "depths")));
    st->add("norm", timm::norm(a, a.layer("norm_layer"), d));
    stages->add(std::to_string(i), st);
    prev = d;
  }
  root->add("stages", stages);
  root->add("head_drop", leaf("Dropout"));
  root->add("head", timm::fc_or_identity(prev, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"PyramidVisionTransformerV2"}, build);

}  // namespace
}  // namespace memfit
