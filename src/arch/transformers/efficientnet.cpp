// EfficientNet: transformers' modeling_efficientnet.py. A conv stem, MBConv blocks (optional 1x1 expansion,
// depth-wise conv, squeeze-excite over the block's input width, 1x1 projection; every conv bias-free and followed by
// a BatchNorm2d) repeated ceil(depth_coefficient * repeats) times per base block, and a 1x1 top conv.
#include "arch/transformers/efficientnet.h"

#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
using namespace blocks;

namespace {

int64_t round_filters(const Config& c, int64_t ch) {
  int64_t div = media::dim(c, "depth_divisor", 8);
  double v = static_cast<double>(ch) * c.f("width_coefficient", 2.0);
  media::require(c, v > 0 && v <= static_cast<double>(media::kMaxDim), "width_coefficient out of range");
  int64_t n = std::max(div, static_cast<int64_t>(v + static_cast<double>(div) / 2) / div * div);
  if (static_cast<double>(n) < 0.9 * v) n += div;
  return n;
}

ModulePtr mb_block(const Config& c, const std::string& p, int64_t in, int64_t out, int64_t expand, int64_t k) {
  std::string act = act_class(c.s("hidden_act", "swish"));
  int64_t mid = in * expand;
  media::require(c, mid <= media::kMaxDim && k <= 64, "expand_ratios / kernel_sizes out of range");
  auto b = make(p + "Block");
  if (expand != 1) {
    auto e = make(p + "ExpansionLayer");
    e->add("expand_conv", conv2d(in, mid, 1, false));
    e->add("expand_bn", batch_norm(mid));
    e->add("expand_act", leaf(act));
    b->add("expansion", e);
  }
  int64_t dim = expand != 1 ? mid : in;
  auto dw = make(p + "DepthwiseLayer");
  dw->add("depthwise_conv_pad", leaf("ZeroPad2d"));
  auto conv = conv2d(dim, dim, k, false, dim);
  conv->cls = p + "DepthwiseConv2d";
  dw->add("depthwise_conv", conv);
  dw->add("depthwise_norm", batch_norm(dim));
  dw->add("depthwise_act", leaf(act));
  b->add("depthwise_conv", dw);
  int64_t se = std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(in) * c.f("squeeze_expansion_ratio", 0.25)));
  auto sq = make(p + "SqueezeExciteLayer");
  sq->add("squeeze", leaf("AdaptiveAvgPool2d"));
  sq->add("reduce", conv2d(dim, se, 1));
  sq->add("expand", conv2d(se, dim, 1));
  sq->add("act_reduce", leaf(act));
  sq->add("act_expand", leaf("Sigmoid"));
  b->add("squeeze_excite", sq);
  auto proj = make(p + "FinalBlockLayer");
  proj->add("project_conv", conv2d(dim, out, 1, false));
  proj->add("project_bn", batch_norm(out));
  proj->add("dropout", leaf("Dropout"));
  b->add("projection", proj);
  return b;
}

}  // namespace

ModulePtr efficientnet_model(const Config& c, const std::string& p, bool top) {
  auto in_ch = media::dims(c, "in_channels", {32, 16, 24, 40, 80, 112, 192});
  auto out_ch = media::dims(c, "out_channels", {16, 24, 40, 80, 112, 192, 320});
  auto kernels = media::dims(c, "kernel_sizes", {3, 3, 5, 3, 5, 5, 3});
  auto expands = media::dims(c, "expand_ratios", {1, 6, 6, 6, 6, 6, 6});
  auto repeats = media::dims(c, "num_block_repeats", {1, 2, 2, 3, 3, 4, 1}, 0);
  size_t n = in_ch.size();
  media::require(c, out_ch.size() >= n && kernels.size() >= n && expands.size() >= n && repeats.size() >= n,
                 "per-block lists shorter than in_channels");
  double depth = c.f("depth_coefficient", 3.1);
  media::require(c, depth >= 0 && depth <= 64, "depth_coefficient out of range");
  std::string act = act_class(c.s("hidden_act", "swish"));

  int64_t stem = round_filters(c, 32);
  auto emb = make(p + "Embeddings");
  emb->add("padding", leaf("ZeroPad2d"));
  emb->add("convolution", conv2d(media::dim(c, "num_channels", 3), stem, 3, false));
  emb->add("batchnorm", batch_norm(stem));
  emb->add("activation", leaf(act));

  std::vector<ModulePtr> blocks;
  int64_t out = 0;
  for (size_t i = 0; i < n; ++i) {
    int64_t in = round_filters(c, in_ch[i]);
    out = round_filters(c, out_ch[i]);
    auto reps = static_cast<int64_t>(std::ceil(depth * static_cast<double>(repeats[i])));
    auto rest = mb_block(c, p, out, out, expands[i], kernels[i]);
    for (int64_t j = 0; j < reps; ++j) blocks.push_back(j == 0 ? mb_block(c, p, in, out, expands[i], kernels[i]) : rest);
    media::require(c, blocks.size() <= static_cast<size_t>(media::kMaxCount), "too many blocks");
  }
  auto enc = make(p + "Encoder");
  enc->add("blocks", module_list(blocks));
  if (top) {
    enc->add("top_conv", conv2d(out, round_filters(c, 1280), 1, false));
    enc->add("top_bn", batch_norm(media::dim(c, "hidden_dim", 2560)));
    enc->add("top_activation", leaf(act));
  }
  auto m = make(p + "Model");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("pooler", leaf(c.s("pooling_type", "mean") == "max" ? "MaxPool2d" : "AvgPool2d"));
  return m;
}

namespace {

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"EfficientNetBlock"};
  if (cls == "EfficientNetModel") return {efficientnet_model(c, "EfficientNet", true), no_split};
  if (cls != "EfficientNetForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("efficientnet", efficientnet_model(c, "EfficientNet", true));
  root->add("dropout", leaf("Dropout"));
  root->add("classifier", media::linear_or_identity(media::dim(c, "hidden_dim", 2560), heads::num_labels(c)));
  return {root, no_split};
}

MEMFIT_FAMILY({"efficientnet"}, "EfficientNet", build);

}  // namespace
}  // namespace memfit
