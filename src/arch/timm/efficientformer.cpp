// timm EfficientFormer (timm/models/efficientformer.py) from its registered arguments: Stem4 (two conv + BatchNorm),
// EfficientFormerStages (Downsample conv + norm; MetaBlock2d of Pooling, LayerScale2d and ConvMlpWithNorm; in the
// last stage `num_vit` MetaBlock1d of LayerNorm, Attention with attention_biases + a persistent
// attention_bias_idxs buffer, Mlp and LayerScales, after a Flat), norm, head and head_dist.
#include "arch/timm/defs.h"
#include "arch/timm/efficientformer_parts.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr scale(const char* cls, int64_t dim) { return timm::layer_scale(dim, true, cls); }

ModulePtr meta_block2d(int64_t dim, int64_t hidden) {
  auto pool = make("Pooling");
  pool->add("pool", leaf("AvgPool2d"));
  auto mlp = make("ConvMlpWithNorm");
  mlp->add("fc1", conv2d(dim, hidden, 1));
  mlp->add("norm1", batch_norm(hidden));
  mlp->add("act", leaf("GELU"));
  mlp->add("fc2", conv2d(hidden, dim, 1));
  mlp->add("norm2", batch_norm(dim));
  mlp->add("drop", leaf("Dropout"));
  auto b = make("MetaBlock2d");
  b->add("token_mixer", pool);
  b->add("ls1", scale("LayerScale2d", dim));
  b->add("drop_path1", leaf("Identity"));
  b->add("mlp", mlp);
  b->add("ls2", scale("LayerScale2d", dim));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

// MetaBlock1d with Attention(dim) at its defaults: key_dim 32, 8 heads, attn_ratio 4, resolution 7.
ModulePtr meta_block1d(int64_t dim, int64_t hidden) {
  const int64_t kd = 32, heads = 8, vd = 4 * kd, n = 7 * 7;
  auto at = make("Attention");
  at->add("qkv", linear(dim, kd * heads * 2 + vd * heads));
  at->add("proj", linear(vd * heads, dim));
  at->param("attention_biases", {heads, n});
  at->buffer("attention_bias_idxs", {n, n}, DType::I64, true);
  auto b = make("MetaBlock1d");
  b->add("norm1", layer_norm(dim));
  b->add("token_mixer", at);
  b->add("ls1", scale("LayerScale", dim));
  b->add("drop_path1", leaf("Identity"));
  b->add("norm2", layer_norm(dim));
  b->add("mlp", timm::mlp(dim, hidden, dim));
  b->add("ls2", scale("LayerScale", dim));
  b->add("drop_path2", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  if (a.layer("act_layer") != "nn.GELU" || a.layer("norm_layer") != "nn.BatchNorm2d" ||
      a.layer("norm_layer_cl") != "nn.LayerNorm")
    a.unsupported("act / norm layers other than GELU, BatchNorm2d, LayerNorm");
  if (!a.has("layer_scale_init_value")) a.unsupported("layer_scale_init_value None");
  auto depths = a.ints("depths"), dims = a.ints("embed_dims");
  const size_t n = depths.size();
  if (n == 0 || dims.size() < n) a.unsupported("depths / embed_dims lengths differ");
  std::vector<bool> downs(n, true);
  downs[0] = false;
  if (const Json& d = a.raw("downsamples"); d.is_array() && !d.empty()) {
    if (d.size() < n) a.unsupported("downsamples shorter than depths");
    for (size_t i = 0; i < n; ++i) downs[i] = d[i].get<bool>();
  }
  const int64_t num_vit = a.i("num_vit");
  const double ratio = a.f("mlp_ratios");
  int64_t prev = timm::checked(dims[0], 2, 1 << 16, "embed_dims");
  auto root = make("EfficientFormer");
  root->add("stem", timm::conv_bn_relu_stem(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), prev, true));
  auto stages = make("Sequential");
  for (size_t i = 0; i < n; ++i) {
    int64_t dim = timm::checked(dims[i], 1, 1 << 16, "embed_dims"), depth = timm::checked(depths[i], 0, 1024, "depths");
    auto st = make("EfficientFormerStage");
    if (downs[i]) {
      auto ds = make("Downsample");
      ds->add("conv", conv2d(prev, dim, 3));
      ds->add("norm", batch_norm(dim));
      st->add("downsample", ds);
    } else {
      if (prev != dim) a.unsupported("a stage that changes width without downsampling");
      st->add("downsample", leaf("Identity"));
    }
    int64_t vit = i == n - 1 ? num_vit : 0, hidden = static_cast<int64_t>(static_cast<double>(dim) * ratio);
    auto blocks = make("Sequential");
    int idx = 0;
    auto put = [&](ModulePtr m) { blocks->add(std::to_string(idx++), std::move(m)); };
    if (vit && vit >= depth) put(leaf("Flat"));
    for (int64_t b = 0; b < depth; ++b) {
      int64_t remain = depth - b - 1;
      if (vit && vit > remain) {
        put(meta_block1d(dim, hidden));
      } else {
        put(meta_block2d(dim, hidden));
        if (vit && vit == remain) put(leaf("Flat"));
      }
    }
    st->add("blocks", blocks);
    stages->add(std::to_string(i), st);
    prev = dim;
  }
  root->add("stages", stages);
  root->add("norm", layer_norm(prev));
  timm::add_distilled_heads(*root, prev, a.i("num_classes"));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"EfficientFormer"}, build);

}  // namespace
}  // namespace memfit
