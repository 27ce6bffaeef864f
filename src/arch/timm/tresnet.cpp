// timm TResNet (timm/models/tresnet.py): body = s2d (SpaceToDepth), conv1 (ConvNormAct over 16 * in_chans), layer1..4
// of BasicBlock / Bottleneck (ConvNormActs with a BlurPool2d aa on strided convs, SEModule, avg-pool + 1x1
// ConvNormAct downsample); ClassifierHead. TResNet v1 (M/L/XL) and v2 (Bottleneck everywhere, widths % 8).
#include <algorithm>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// ConvNormAct(in, out, k) with a BlurPool2d `aa` when strided (create_aa).
ModulePtr cna(int64_t in, int64_t out, int64_t k, bool blur = false) {
  auto m = timm::conv_norm_act(in, out, k);
  m->add("aa", blur ? timm::blur_pool(out) : leaf("Identity"));
  return m;
}

ModulePtr block(bool bottleneck, int64_t in, int64_t planes, bool stride2, bool se) {
  int64_t out = planes * (bottleneck ? 4 : 1);
  auto b = make(bottleneck ? "Bottleneck" : "BasicBlock");
  if (stride2 || in != out) {
    auto d = make("Sequential");
    if (stride2) d->add("0", leaf("AvgPool2d"));
    d->add(stride2 ? "1" : "0", cna(in, out, 1));
    b->add("downsample", d);
  }
  if (bottleneck) {
    b->add("conv1", cna(in, planes, 1));
    b->add("conv2", cna(planes, planes, 3, stride2));
    if (se) b->add("se", timm::se_module(planes, std::max<int64_t>(out / 8, 64)));
    b->add("conv3", cna(planes, out, 1));
    b->add("drop_path", leaf("Identity"));
    b->add("act", leaf("ReLU"));
  } else {
    b->add("conv1", cna(in, planes, 3, stride2));
    b->add("conv2", cna(planes, planes, 3));
    b->add("act", leaf("ReLU"));
    if (se) b->add("se", timm::se_module(out, std::max<int64_t>(out / 4, 64)));
    b->add("drop_path", leaf("Identity"));
  }
  return b;
}

Model build(const timm::Args& a) {
  auto layers = a.ints("layers");
  if (layers.size() != 4) a.unsupported("not four stages");
  bool v2 = a.b("v2");
  auto planes = static_cast<int64_t>(64 * a.f("width_factor"));
  if (v2) planes = planes / 8 * 8;
  if (planes < 1 || planes > (1 << 16)) a.unsupported("width_factor out of range");
  auto body = make("Sequential");
  body->add("s2d", leaf("SpaceToDepth"));
  body->add("conv1", cna(timm::checked(a.i("in_chans"), 1, 4096, "in_chans") * 16, planes, 3));
  int64_t in = planes;
  for (int s = 0; s < 4; ++s) {
    bool bott = v2 || s >= 2;
    int64_t p = planes << s;
    body->add("layer" + std::to_string(s + 1), timm::seq(timm::checked(layers[s], 1, 1000, "layers"), [&](int64_t k) {
                auto b = block(bott, in, p, k == 0 && s > 0, s < 3);
                in = p * (bott ? 4 : 1);
                return b;
              }));
  }
  auto root = make("TResNet");
  root->add("body", body);
  root->add("head", timm::classifier_head(in, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"TResNet"}, build);

}  // namespace
}  // namespace memfit
