// timm ResNetV2 (timm/models/resnetv2.py) from its registered arguments: stem (7x7 conv, or the 'deep' / 'tiered'
// 3x3 stack; 'fixed' padding), four ResNetStages of PreActBottleneck / PreActBasic (pre-activation) or Bottleneck
// blocks with a conv or avg-pool projection, final norm (pre-activation), ClassifierHead. BiT and ResNetV2-D/T.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Opts {
  bool preact, avg_down, group_norm;
};

ModulePtr norm(const Opts& o, int64_t chs) {
  if (!o.group_norm) return timm::bn_act(chs);
  auto g = make("GroupNormAct");
  g->param("weight", {chs});
  g->param("bias", {chs});
  g->add("drop", leaf("Identity"));
  g->add("act", leaf("ReLU"));
  return g;
}

ModulePtr downsample(const Opts& o, int64_t in, int64_t out, int64_t stride) {
  auto d = make(o.avg_down ? "DownsampleAvg" : "DownsampleConv");
  if (o.avg_down) d->add("pool", leaf(stride > 1 ? "AvgPool2d" : "Identity"));
  d->add("conv", conv2d(in, out, 1, false));
  d->add("norm", o.preact ? leaf("Identity") : norm(o, out));
  return d;
}

ModulePtr block(const Opts& o, bool basic, int64_t in, int64_t out, int64_t stride, bool first, double br) {
  int64_t mid = timm::make_divisible(out * br);
  auto b = make(basic ? "PreActBasic" : o.preact ? "PreActBottleneck" : "Bottleneck");
  if (first && (!basic || stride != 1 || in != out)) b->add("downsample", downsample(o, in, out, stride));
  if (basic) {
    b->add("norm1", norm(o, in));
    b->add("conv1", conv2d(in, mid, 3, false));
    b->add("norm2", norm(o, mid));
    b->add("conv2", conv2d(mid, out, 3, false));
  } else if (o.preact) {
    b->add("norm1", norm(o, in));
    b->add("conv1", conv2d(in, mid, 1, false));
    b->add("norm2", norm(o, mid));
    b->add("conv2", conv2d(mid, mid, 3, false));
    b->add("norm3", norm(o, mid));
    b->add("conv3", conv2d(mid, out, 1, false));
  } else {
    b->add("conv1", conv2d(in, mid, 1, false));
    b->add("norm1", norm(o, mid));
    b->add("conv2", conv2d(mid, mid, 3, false));
    b->add("norm2", norm(o, mid));
    b->add("conv3", conv2d(mid, out, 1, false));
    b->add("norm3", norm(o, out));
  }
  b->add("drop_path", leaf("Identity"));
  if (!o.preact) b->add("act3", leaf("ReLU"));
  return b;
}

Model build(const timm::Args& a) {
  std::string nl = a.layer("norm_layer"), conv = a.layer("conv_layer");
  if (nl != "BatchNormAct2d" && nl != "GroupNormAct") a.unsupported("norm_layer " + nl);
  if (conv != "StdConv2d" && conv != "create_conv2d") a.unsupported("conv_layer " + conv);
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  Opts o{a.b("preact"), a.b("avg_down"), nl == "GroupNormAct"};
  bool basic = a.b("basic");
  if (basic && !o.preact) a.unsupported("basic blocks without pre-activation");
  std::string st = a.s("stem_type");
  if (st != "" && st != "fixed" && st != "deep" && st != "tiered") a.unsupported("stem_type " + st);
  int64_t wf = a.i("width_factor"), stem_chs = timm::make_divisible(static_cast<double>(a.i("stem_chs") * wf));
  auto layers = a.ints("layers"), channels = a.ints("channels");
  if (layers.size() != 4 || channels.size() != 4) a.unsupported("not four stages");

  auto stem = make("Sequential");
  int64_t in_chans = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  if (st == "deep" || st == "tiered") {
    int64_t s0 = st == "tiered" ? 3 * stem_chs / 8 : stem_chs / 2, s1 = stem_chs / 2;
    stem->add("conv1", conv2d(in_chans, s0, 3, false));
    stem->add("norm1", norm(o, s0));
    stem->add("conv2", conv2d(s0, s1, 3, false));
    stem->add("norm2", norm(o, s1));
    stem->add("conv3", conv2d(s1, stem_chs, 3, false));
    if (!o.preact) stem->add("norm3", norm(o, stem_chs));
  } else {
    stem->add("conv", conv2d(in_chans, stem_chs, 7, false));
    if (!o.preact) stem->add("norm", norm(o, stem_chs));
  }
  if (st == "fixed") stem->add("pad", leaf("ConstantPad2d"));
  stem->add("pool", leaf("MaxPool2d"));
  auto root = make("ResNetV2");
  root->add("stem", stem);
  auto stages = make("Sequential");
  int64_t prev = stem_chs;
  double br = a.f("bottle_ratio");
  for (size_t s = 0; s < 4; ++s) {
    int64_t out = timm::make_divisible(static_cast<double>(channels[s] * wf)), stride = s == 0 ? 1 : 2;
    auto stage = make("ResNetStage");
    stage->add("blocks", timm::seq(timm::checked(layers[s], 0, 1000, "layers"), [&](int64_t k) {
                 auto b = block(o, basic, k == 0 ? prev : out, out, k == 0 ? stride : 1, k == 0, br);
                 return b;
               }));
    stages->add(std::to_string(s), stage);
    prev = out;
  }
  root->add("stages", stages);
  root->add("norm", o.preact ? norm(o, prev) : leaf("Identity"));
  root->add("head", timm::classifier_head(prev, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"ResNetV2"}, build);

}  // namespace
}  // namespace memfit
