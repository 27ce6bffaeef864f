// timm RexNet (timm/models/rexnet.py) from its registered arguments: stem ConvNormAct, features (LinearBottlenecks
// whose channels grow linearly from initial_chs by final_chs over the blocks, as _block_cfg computes; SE with a
// BatchNorm), a final ConvNormAct to make_divisible(1280 * width_mult), ClassifierHead.
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr se_with_norm(int64_t chs, int64_t rd) {
  auto se = make("SEModule");
  se->add("fc1", conv2d(chs, rd, 1));
  se->add("bn", batch_norm(rd));
  se->add("act", leaf("ReLU"));
  se->add("fc2", conv2d(rd, chs, 1));
  se->add("gate", leaf("Sigmoid"));
  return se;
}

Model build(const timm::Args& a) {
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  double wm = a.f("width_mult"), dm = a.f("depth_mult"), se_ratio = a.f("se_ratio");
  int64_t div = timm::checked(a.i("ch_div"), 1, 1024, "ch_div");
  auto divisible = [&](double v) { return timm::make_divisible(v, div); };
  // _block_cfg
  std::vector<int64_t> layers{1, 2, 2, 3, 3, 5};
  const int64_t base_strides[] = {1, 2, 2, 2, 1, 2};
  std::vector<int64_t> strides, exps;
  std::vector<double> ses;
  for (size_t i = 0; i < layers.size(); ++i) {
    layers[i] = static_cast<int64_t>(std::ceil(layers[i] * dm));
    for (int64_t k = 0; k < layers[i]; ++k) {
      strides.push_back(k ? 1 : base_strides[i]);
      exps.push_back(i == 0 ? 1 : 6);
      ses.push_back(i < 2 ? 0.0 : se_ratio);
    }
  }
  int64_t n = static_cast<int64_t>(strides.size());
  double base = wm < 1.0 ? a.i("initial_chs") / wm : static_cast<double>(a.i("initial_chs"));
  std::vector<int64_t> outs;
  for (int64_t i = 0; i < n; ++i) {
    outs.push_back(divisible(std::nearbyint(base * wm)));
    base += a.i("final_chs") / (n * 1.0);
  }

  int64_t stem = divisible(std::nearbyint((wm < 1.0 ? 32 / wm : 32.0) * wm));
  auto root = make("RexNet");
  root->add("stem", timm::conv_norm_act(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), stem, 3));
  auto features = make("Sequential");
  int64_t prev = stem;
  for (int64_t i = 0; i < n; ++i) {
    auto b = make("LinearBottleneck");
    int64_t dw = prev;
    if (exps[i] != 1) {
      dw = divisible(std::nearbyint(prev * static_cast<double>(exps[i])));
      b->add("conv_exp", timm::conv_norm_act(prev, dw, 1));
    }
    b->add("conv_dw", timm::conv_norm_act(dw, dw, 3, dw));
    if (ses[i] > 0) b->add("se", se_with_norm(dw, divisible(static_cast<double>(static_cast<int64_t>(dw * ses[i])))));
    b->add("act_dw", leaf("ReLU6"));
    b->add("conv_pwl", timm::conv_norm_act(dw, outs[i], 1));
    features->add(std::to_string(i), b);
    prev = outs[i];
  }
  int64_t pen = divisible(1280 * wm);
  features->add(std::to_string(n), timm::conv_norm_act(prev, pen, 1));
  root->add("features", features);
  root->add("head", timm::classifier_head(pen, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"RexNet"}, build);

}  // namespace
}  // namespace memfit
