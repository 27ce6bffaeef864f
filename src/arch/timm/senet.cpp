// timm SENet (timm/models/senet.py, the legacy_se* ports): layer0 (7x7 conv, or three 3x3 convs), pool0, layer1..4
// of SEBottleneck / SEResNetBottleneck / SEResNeXtBottleneck / SEResNetBlock (convs, BatchNorms, relu, SEModule with
// channels // reduction, conv + bn downsample), global_pool, last_linear.
#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr se(int64_t chs, int64_t reduction) {
  auto m = make("SEModule");
  m->add("fc1", conv2d(chs, chs / reduction, 1));
  m->add("relu", leaf("ReLU"));
  m->add("fc2", conv2d(chs / reduction, chs, 1));
  m->add("sigmoid", leaf("Sigmoid"));
  return m;
}

// One block of class `kind` from `in` to planes * expansion channels; `down` = (kernel) of the downsample, 0 for none.
ModulePtr block(const std::string& kind, int64_t in, int64_t planes, int64_t groups, int64_t reduction, int64_t down) {
  bool basic = kind == "SEResNetBlock";
  int64_t out = basic ? planes : planes * 4;
  std::vector<int64_t> w;  // conv widths: conv1 out, conv2 out
  if (kind == "SEBottleneck") w = {planes * 2, planes * 4};
  else if (kind == "SEResNeXtBottleneck") w = {planes * 4 / 64 * groups, planes * 4 / 64 * groups};  // base_width 4
  else w = {planes, planes};
  auto b = make(kind);
  b->add("conv1", conv2d(in, w[0], basic ? 3 : 1, false));
  b->add("bn1", batch_norm(w[0]));
  b->add("conv2", conv2d(w[0], basic ? out : w[1], 3, false, groups));
  b->add("bn2", batch_norm(basic ? out : w[1]));
  if (!basic) {
    b->add("conv3", conv2d(w[1], out, 1, false));
    b->add("bn3", batch_norm(out));
  }
  b->add("relu", leaf("ReLU"));
  b->add("se_module", se(out, reduction));
  if (down) {
    auto d = make("Sequential");
    d->add("0", conv2d(in, out, down, false));
    d->add("1", batch_norm(out));
    b->add("downsample", d);
  }
  return b;
}

Model build(const timm::Args& a) {
  std::string kind = a.layer("block");
  if (kind != "SEBottleneck" && kind != "SEResNetBottleneck" && kind != "SEResNeXtBottleneck" && kind != "SEResNetBlock")
    a.unsupported("block " + kind);
  auto layers = a.ints("layers");
  if (layers.size() != 4) a.unsupported("not four stages");
  int64_t groups = timm::checked(a.i("groups"), 1, 4096, "groups"), reduction = timm::checked(a.i("reduction"), 1, 4096, "reduction");
  int64_t inplanes = timm::checked(a.i("inplanes"), 1, 1 << 16, "inplanes"), in_chans = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  auto l0 = make("Sequential");
  if (a.b("input_3x3")) {
    const int64_t chs[] = {64, 64, inplanes};
    int64_t in = in_chans;
    for (int i = 0; i < 3; ++i) {
      l0->add("conv" + std::to_string(i + 1), conv2d(in, chs[i], 3, false));
      l0->add("bn" + std::to_string(i + 1), batch_norm(chs[i]));
      l0->add("relu" + std::to_string(i + 1), leaf("ReLU"));
      in = chs[i];
    }
  } else {
    l0->add("conv1", conv2d(in_chans, inplanes, 7, false));
    l0->add("bn1", batch_norm(inplanes));
    l0->add("relu1", leaf("ReLU"));
  }
  auto root = make("SENet");
  root->add("layer0", l0);
  root->add("pool0", leaf("MaxPool2d"));
  int64_t in = inplanes, exp = kind == "SEResNetBlock" ? 1 : 4;
  for (int s = 0; s < 4; ++s) {
    int64_t planes = int64_t{64} << s, stride = s ? 2 : 1;
    int64_t dk = s ? a.i("downsample_kernel_size") : 1;
    root->add("layer" + std::to_string(s + 1), timm::seq(timm::checked(layers[s], 1, 1000, "layers"), [&](int64_t k) {
                bool down = k == 0 && (stride != 1 || in != planes * exp);
                auto b = block(kind, in, planes, groups, reduction, down ? dk : 0);
                in = planes * exp;
                return b;
              }));
  }
  root->add("global_pool", timm::select_pool());
  root->add("last_linear", timm::fc_or_identity(in, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"SENet"}, build);

}  // namespace
}  // namespace memfit
