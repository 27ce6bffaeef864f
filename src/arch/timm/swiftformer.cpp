// timm SwiftFormer (timm/models/swiftformer.py) from its registered arguments: conv-BN-ReLU stem, Stages (Embedding
// downsample, ConvEncoders, then one Block of LocalRepresentation, EfficientAdditiveAttention and a conv Mlp with
// LayerScale2d gammas), BatchNorm, head and head_dist.
#include "arch/timm/defs.h"
#include "arch/timm/efficientformer_parts.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// swiftformer's LayerScale2d: gamma [dim, 1, 1].
ModulePtr layer_scale2d(int64_t dim, bool on) { return timm::layer_scale(dim, on, "LayerScale2d", true); }

// ConvEncoder (hidden = mlp_ratio * dim) and LocalRepresentation (hidden = dim) share one layout.
ModulePtr dw_pw(const char* cls, int64_t dim, int64_t hidden, bool ls) {
  auto m = make(cls);
  m->add("dwconv", conv2d(dim, dim, 3, true, dim));
  m->add("norm", batch_norm(dim));
  m->add("pwconv1", conv2d(dim, hidden, 1));
  m->add("act", leaf("GELU"));
  m->add("pwconv2", conv2d(hidden, dim, 1));
  m->add("drop_path", leaf("Identity"));
  m->add("layer_scale", layer_scale2d(dim, ls));
  return m;
}

ModulePtr swift_block(int64_t dim, int64_t hidden, bool ls) {
  auto at = make("EfficientAdditiveAttention");
  at->add("to_query", linear(dim, dim));
  at->add("to_key", linear(dim, dim));
  at->param("w_g", {dim, 1});
  at->add("proj", linear(dim, dim));
  at->add("final", linear(dim, dim));
  auto mlp = make("Mlp");
  mlp->add("norm1", batch_norm(dim));
  mlp->add("fc1", conv2d(dim, hidden, 1));
  mlp->add("act", leaf("GELU"));
  mlp->add("fc2", conv2d(hidden, dim, 1));
  mlp->add("drop", leaf("Dropout"));
  auto b = make("Block");
  b->add("local_representation", dw_pw("LocalRepresentation", dim, dim, ls));
  b->add("attn", at);
  b->add("linear", mlp);
  b->add("drop_path", leaf("Identity"));
  b->add("layer_scale_1", layer_scale2d(dim, ls));
  b->add("layer_scale_2", layer_scale2d(dim, ls));
  return b;
}

Model build(const timm::Args& a) {
  if (a.layer("act_layer") != "nn.GELU") a.unsupported("act_layer " + a.layer("act_layer"));
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  auto layers = a.ints("layers"), dims = a.ints("embed_dims");
  const Json& downs = a.raw("downsamples");
  const size_t n = layers.size();
  if (n == 0 || dims.size() < n || !downs.is_array() || downs.size() < n) a.unsupported("per-stage argument lengths");
  const bool ls = a.b("use_layer_scale");
  const int64_t ratio = a.i("mlp_ratios"), dk = timm::checked(a.i("down_patch_size"), 1, 64, "down_patch_size");
  int64_t prev = timm::checked(dims[0], 2, 1 << 16, "embed_dims");
  auto root = make("SwiftFormer");
  root->add("stem", timm::conv_bn_relu_stem(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), prev, false));
  auto stages = make("Sequential");
  for (size_t i = 0; i < n; ++i) {
    int64_t dim = timm::checked(dims[i], 1, 1 << 16, "embed_dims"), depth = timm::checked(layers[i], 0, 1024, "layers");
    auto st = make("Stage");
    if (downs[i].get<bool>()) {
      auto e = make("Embedding");
      e->add("proj", conv2d(prev, dim, dk));
      e->add("norm", batch_norm(dim));
      st->add("downsample", e);
    } else {
      st->add("downsample", leaf("Identity"));
    }
    st->add("blocks", timm::seq(depth, [&](int64_t b) {
      return depth - b <= 1 ? swift_block(dim, dim * ratio, ls) : dw_pw("ConvEncoder", dim, dim * ratio, ls);
    }));
    stages->add(std::to_string(i), st);
    prev = dim;
  }
  root->add("stages", stages);
  root->add("norm", batch_norm(prev));
  timm::add_distilled_heads(*root, prev, a.i("num_classes"));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"SwiftFormer"}, build);

}  // namespace
}  // namespace memfit
