// timm DPN (timm/models/dpn.py): features = conv1_1 (ConvNormAct), conv1_pool, four groups of DualPathBlocks
// (projection BnActConv2d c1x1_w_s1 / c1x1_w_s2 on the first, c1x1_a, grouped c3x3_b, c1x1_c, or with `b` a CatBnAct
// plus the split c1x1_c1 / c1x1_c2 convs), conv5_bn_ac; global_pool, a 1x1 conv classifier, flatten.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// BnActConv2d: bn (BatchNormAct2d over the input), conv (bias-free).
ModulePtr bn_act_conv(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = make("BnActConv2d");
  m->add("bn", timm::bn_act(in));
  m->add("conv", conv2d(in, out, k, false, groups));
  return m;
}

ModulePtr cat_bn_act(int64_t in) {
  auto m = make("CatBnAct");
  m->add("bn", timm::bn_act(in));
  return m;
}

// DualPathBlock(in, r, r, bw, inc, groups, type, b); type: 0 normal, 1 proj, 2 down.
ModulePtr dual_path(int64_t in, int64_t r, int64_t bw, int64_t inc, int64_t groups, int type, bool b) {
  auto m = make("DualPathBlock");
  if (type) m->add(type == 2 ? "c1x1_w_s2" : "c1x1_w_s1", bn_act_conv(in, bw + 2 * inc, 1));
  m->add("c1x1_a", bn_act_conv(in, r, 1));
  m->add("c3x3_b", bn_act_conv(r, r, 3, groups));
  if (b) {
    m->add("c1x1_c", cat_bn_act(r));
    m->add("c1x1_c1", conv2d(r, bw, 1, false));
    m->add("c1x1_c2", conv2d(r, inc, 1, false));
  } else {
    m->add("c1x1_c", bn_act_conv(r, bw + inc, 1));
  }
  return m;
}

Model build(const timm::Args& a) {
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  if (a.s("norm_layer") != "batchnorm2d") a.unsupported("norm_layer " + a.s("norm_layer"));
  auto k_sec = a.ints("k_sec"), inc_sec = a.ints("inc_sec");
  if (k_sec.size() != 4 || inc_sec.size() != 4) a.unsupported("not four stages");
  bool small = a.b("small"), b = a.b("b");
  int64_t bw_factor = small ? 1 : 4, k_r = a.i("k_r"), groups = timm::checked(a.i("groups"), 1, 4096, "groups");
  int64_t init = timm::checked(a.i("num_init_features"), 1, 1 << 16, "num_init_features");
  auto f = make("Sequential");
  f->add("conv1_1", timm::conv_norm_act(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), init, small ? 3 : 7));
  f->add("conv1_pool", leaf("MaxPool2d"));
  int64_t in = init;
  for (int s = 0; s < 4; ++s) {
    int64_t bw = (int64_t{64} << s) * bw_factor, inc = inc_sec[s], r = k_r * bw / (64 * bw_factor);
    std::string prefix = "conv" + std::to_string(s + 2) + "_";
    f->add(prefix + "1", dual_path(in, r, bw, inc, groups, s ? 2 : 1, b));
    in = bw + 3 * inc;
    for (int64_t i = 2; i <= timm::checked(k_sec[s], 1, 1000, "k_sec"); ++i) {
      f->add(prefix + std::to_string(i), dual_path(in, r, bw, inc, groups, 0, b));
      in += inc;
    }
  }
  f->add("conv5_bn_ac", cat_bn_act(in));
  auto root = make("DPN");
  root->add("features", f);
  auto pool = make("SelectAdaptivePool2d");
  pool->add("pool", leaf("AdaptiveAvgPool2d"));
  pool->add("flatten", leaf("Identity"));
  root->add("global_pool", pool);
  int64_t nc = a.i("num_classes");
  root->add("classifier", nc > 0 ? conv2d(in, nc, 1, true) : leaf("Identity"));
  root->add("flatten", leaf("Flatten"));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"DPN"}, build);

}  // namespace
}  // namespace memfit
