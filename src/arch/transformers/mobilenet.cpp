// MobileNet V1 and V2: transformers' modeling_mobilenet_v1.py / modeling_mobilenet_v2.py. Conv layers of
// Conv2d (no bias) + BatchNorm2d + activation; V1 is 13 depthwise/pointwise pairs after a stem, V2 a stem and
// 16 inverted residuals (expand 1x1, depthwise 3x3, reduce 1x1) then a 1x1 conv to 1280 channels. The stage widths
// and strides are fixed in the modeling code; depth_multiplier / min_depth / depth_divisible_by scale them.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// <P>ConvLayer: convolution, normalization (BatchNorm2d) and activation.
ModulePtr conv_layer(const Config& c, const std::string& p, int64_t in, int64_t out, int64_t k, int64_t groups = 1,
                     bool act = true) {
  media::require(c, in % groups == 0 && out % groups == 0, "channels not divisible by groups");
  auto l = make(p + "ConvLayer");
  l->add("convolution", conv2d(in, out, k, false, groups));
  l->add("normalization", batch_norm(out));
  if (act) l->add("activation", leaf(act_class(c.s("hidden_act", "relu6"))));
  return l;
}

// Python's int(round(x)) (half to even) for a scaled channel count.
int64_t py_round(const Config& c, double x) {
  media::require(c, x >= 0 && x <= static_cast<double>(media::kMaxDim), "depth_multiplier out of range");
  return static_cast<int64_t>(std::nearbyint(x));
}

Model mobilenet_v1(const Config& c, std::string_view cls) {
  const std::string p = "MobileNetV1";
  double mult = c.f("depth_multiplier", 1.0);
  int64_t min_depth = c.i("min_depth", 8);
  py_round(c, 1024 * mult);  // range check
  auto width = [&](int64_t d) { return std::max(static_cast<int64_t>(static_cast<double>(d) * mult), min_depth); };
  int64_t depth = 32, out = width(depth);
  auto m = make(p + "Model");
  m->add("conv_stem", conv_layer(c, p, media::dim(c, "num_channels", 3), out, 3));
  const int strides[13] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
  auto layers = make("ModuleList");
  for (int i = 0; i < 13; ++i) {
    int64_t in = out;
    if (strides[i] == 2 || i == 0) out = width(depth *= 2);
    layers->add(std::to_string(2 * i), conv_layer(c, p, in, in, 3, in));
    layers->add(std::to_string(2 * i + 1), conv_layer(c, p, in, out, 1));
  }
  m->add("layer", layers);
  if (cls == p + "Model") {
    m->add("pooler", leaf("AdaptiveAvgPool2d"));
    return {m, {}};
  }
  if (cls != p + "ForImageClassification") heads::unsupported(cls);
  m->add("pooler", leaf("AdaptiveAvgPool2d"));
  auto root = make(std::string(cls));
  root->add("mobilenet_v1", m);
  root->add("dropout", leaf("Dropout"));
  root->add("classifier", media::linear_or_identity(out, heads::num_labels(c)));
  return {root, {}};
}

// make_divisible of the MobileNet papers: to a multiple of `div` (at least `min`), never 10% below the value.
int64_t make_divisible(int64_t v, int64_t div, int64_t min) {
  int64_t n = std::max(min, (v + div / 2) / div * div);
  if (static_cast<double>(n) < 0.9 * static_cast<double>(v)) n += div;
  return n;
}

Model mobilenet_v2(const Config& c, std::string_view cls) {
  const std::string p = "MobileNetV2";
  double mult = c.f("depth_multiplier", 1.0), expand = c.f("expand_ratio", 6.0);
  int64_t div = media::dim(c, "depth_divisible_by", 8), min_depth = c.i("min_depth", 8);
  auto width = [&](int64_t ch) { return make_divisible(py_round(c, ch * mult), div, min_depth); };
  const int64_t widths[17] = {16, 24, 24, 32, 32, 32, 64, 64, 64, 64, 96, 96, 96, 160, 160, 160, 320};
  std::vector<int64_t> ch;
  for (int64_t w : widths) ch.push_back(width(w));

  int64_t stem_w = width(32);
  auto stem = make(p + "Stem");
  stem->add("first_conv", conv_layer(c, p, media::dim(c, "num_channels", 3), stem_w, 3));
  if (!c.b("first_layer_is_expansion", true)) stem->add("expand_1x1", conv_layer(c, p, stem_w, stem_w, 1));
  stem->add("conv_3x3", conv_layer(c, p, stem_w, stem_w, 3, stem_w));
  stem->add("reduce_1x1", conv_layer(c, p, stem_w, ch[0], 1, 1, false));
  auto layers = make("ModuleList");
  for (int i = 0; i < 16; ++i) {
    int64_t e = make_divisible(py_round(c, static_cast<double>(ch[i]) * expand), div, min_depth);
    auto r = make(p + "InvertedResidual");
    r->add("expand_1x1", conv_layer(c, p, ch[i], e, 1));
    r->add("conv_3x3", conv_layer(c, p, e, e, 3, e));
    r->add("reduce_1x1", conv_layer(c, p, e, ch[i + 1], 1, 1, false));
    layers->add(std::to_string(i), r);
  }
  int64_t out = c.b("finegrained_output", true) && mult < 1.0 ? 1280 : width(1280);
  auto m = make(p + "Model");
  m->add("conv_stem", stem);
  m->add("layer", layers);
  m->add("conv_1x1", conv_layer(c, p, ch[16], out, 1));
  m->add("pooler", leaf("AdaptiveAvgPool2d"));
  if (cls == p + "Model") return {m, {}};
  if (cls != p + "ForImageClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("mobilenet_v2", m);
  root->add("dropout", leaf("Dropout"));
  root->add("classifier", media::linear_or_identity(out, heads::num_labels(c)));
  return {root, {}};
}

MEMFIT_FAMILY({"mobilenet_v1"}, "MobileNetV1", mobilenet_v1);
MEMFIT_FAMILY({"mobilenet_v2"}, "MobileNetV2", mobilenet_v2);

}  // namespace
}  // namespace memfit
