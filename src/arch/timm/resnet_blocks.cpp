// ResNet block variants: Res2Net's Bottle2neck (scale-split 3x3 convs), ResNeSt's ResNestBottleneck (SplitAttn conv2,
// avd pooling) and SKNet's SelectiveKernelBasic / SelectiveKernelBottleneck (SelectiveKernel conv with two 3x3 paths
// and SelectiveKernelAttn).
#include "arch/timm/resnet_blocks.h"

#include <cmath>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm::resnet {
using namespace blocks;

namespace {

int64_t arg(const Opts& o, const char* k, int64_t def) {
  return o.block_args.contains(k) && o.block_args[k].is_number() ? o.block_args[k].get<int64_t>() : def;
}

ModulePtr res2net(const Opts& o, int64_t in, int64_t planes, bool stride2, ModulePtr down) {
  int64_t scale = checked(arg(o, "scale", 4), 1, 64, "scale");
  auto width = static_cast<int64_t>(std::floor(static_cast<double>(planes) * (static_cast<double>(o.base_width) / 64.0))) *
               o.cardinality;
  int64_t out = planes * 4, paths = std::max<int64_t>(1, scale - 1);
  auto b = make("Bottle2neck");
  b->add("conv1", conv2d(in, width * scale, 1, false));
  b->add("bn1", norm(o, width * scale));
  b->add("convs", seq(paths, [&](int64_t) { return conv2d(width, width, 3, false, o.cardinality); }, "ModuleList"));
  b->add("bns", seq(paths, [&](int64_t) { return norm(o, width); }, "ModuleList"));
  if (stride2 || down) b->add("pool", leaf("AvgPool2d"));
  b->add("conv3", conv2d(width * scale, out, 1, false));
  b->add("bn3", norm(o, out));
  b->add("relu", leaf("ReLU"));
  if (down) b->add("downsample", down);
  return b;
}

// SplitAttn (timm/layers/split_attn.py) with a BatchNorm2d norm layer.
ModulePtr split_attn(const Opts& o, int64_t in, int64_t out, int64_t radix) {
  int64_t mid = out * radix, attn = make_divisible(static_cast<double>(in * radix) * 0.25, 8, 32);
  auto m = make("SplitAttn");
  m->add("conv", conv2d(in, mid, 3, false, o.cardinality * radix));
  m->add("bn0", norm(o, mid));
  m->add("drop", leaf("Identity"));
  m->add("act0", leaf("ReLU"));
  m->add("fc1", conv2d(out, attn, 1, true, o.cardinality));
  m->add("bn1", norm(o, attn));
  m->add("act1", leaf("ReLU"));
  m->add("fc2", conv2d(attn, mid, 1, true, o.cardinality));
  m->add("rsoftmax", leaf("RadixSoftmax"));
  return m;
}

ModulePtr resnest(const Opts& o, int64_t in, int64_t planes, bool stride2, ModulePtr down) {
  auto gw = static_cast<int64_t>(static_cast<double>(planes) * (static_cast<double>(o.base_width) / 64.0)) * o.cardinality;
  int64_t radix = checked(arg(o, "radix", 1), 0, 64, "radix");
  bool avd = o.block_args.value("avd", false) && stride2, avd_first = o.block_args.value("avd_first", false);
  auto b = make("ResNestBottleneck");
  b->add("conv1", conv2d(in, gw, 1, false));
  b->add("bn1", norm(o, gw));
  b->add("act1", leaf("ReLU"));
  if (avd && avd_first) b->add("avd_first", leaf("AvgPool2d"));
  if (radix >= 1) {
    b->add("conv2", split_attn(o, gw, gw, radix));
    b->add("bn2", leaf("Identity"));
  } else {
    b->add("conv2", conv2d(gw, gw, 3, false, o.cardinality));
    b->add("bn2", norm(o, gw));
  }
  b->add("drop_block", leaf("Identity"));
  b->add("act2", leaf(radix >= 1 ? "Identity" : "ReLU"));
  if (avd && !avd_first) b->add("avd_last", leaf("AvgPool2d"));
  b->add("conv3", conv2d(gw, planes * 4, 1, false));
  b->add("bn3", norm(o, planes * 4));
  b->add("act3", leaf("ReLU"));
  if (down) b->add("downsample", down);
  return b;
}

ModulePtr cna(int64_t in, int64_t out, int64_t k, int64_t groups = 1) {
  auto m = conv_norm_act(in, out, k, groups);
  m->add("aa", leaf("Identity"));
  return m;
}

// SelectiveKernel(in, out, groups, **sk_kwargs): paths of ConvNormAct 3x3 (the 5x5 path kept 3x3, dilated) and attn.
ModulePtr selective_kernel(const Args& a, const Opts& o, int64_t in, int64_t out, int64_t groups) {
  const Json sk = o.block_args.value("sk_kwargs", Json::object());
  for (auto it = sk.begin(); it != sk.end(); ++it)
    if (it.key() != "rd_ratio" && it.key() != "rd_divisor" && it.key() != "split_input") a.unsupported("sk_kwargs." + it.key());
  int64_t path_in = sk.value("split_input", true) ? in / 2 : in;
  groups = std::min(out, groups);
  auto m = make("SelectiveKernel");
  m->add("paths", seq(2, [&](int64_t) { return cna(path_in, out, 3, groups); }, "ModuleList"));
  int64_t rd = make_divisible(static_cast<double>(out) * sk.value("rd_ratio", 1.0 / 16), sk.value("rd_divisor", 8));
  auto at = make("SelectiveKernelAttn");
  at->add("fc_reduce", conv2d(out, rd, 1, false));
  at->add("bn", batch_norm(rd));
  at->add("act", leaf("ReLU"));
  at->add("fc_select", conv2d(rd, out * 2, 1, false));
  m->add("attn", at);
  return m;
}

ModulePtr sk_block(const Args& a, const Opts& o, bool bottleneck, int64_t in, int64_t planes, ModulePtr down) {
  auto b = make(bottleneck ? "SelectiveKernelBottleneck" : "SelectiveKernelBasic");
  if (bottleneck) {
    auto width = static_cast<int64_t>(std::floor(static_cast<double>(planes) * (static_cast<double>(o.base_width) / 64.0))) *
                 o.cardinality;
    int64_t first = width / o.reduce_first;
    b->add("conv1", cna(in, first, 1));
    b->add("conv2", selective_kernel(a, o, first, width, o.cardinality));
    b->add("conv3", cna(width, planes * 4, 1));
  } else {
    int64_t first = planes / o.reduce_first;
    b->add("conv1", selective_kernel(a, o, in, first, 1));
    b->add("conv2", cna(first, planes, 3));
  }
  b->add("act", leaf("ReLU"));
  if (down) b->add("downsample", down);
  return b;
}

}  // namespace

int64_t expansion(const std::string& fn) { return fn == "BasicBlock" || fn == "SelectiveKernelBasic" ? 1 : 4; }

ModulePtr variant_block(const Args& a, const Opts& o, const std::string& fn, int64_t in, int64_t planes, bool stride2,
                        ModulePtr down) {
  if (!o.aa.empty()) a.unsupported("aa_layer with block " + fn);
  if (!o.attn.empty()) a.unsupported("attn_layer with block " + fn);
  if (o.norm != "") a.unsupported("norm_layer with block " + fn);
  if (fn == "Bottle2neck") return res2net(o, in, planes, stride2, std::move(down));
  if (fn == "ResNestBottleneck") return resnest(o, in, planes, stride2, std::move(down));
  if (fn == "SelectiveKernelBasic" || fn == "SelectiveKernelBottleneck")
    return sk_block(a, o, fn == "SelectiveKernelBottleneck", in, planes, std::move(down));
  a.unsupported("block " + fn);
}

}  // namespace memfit::timm::resnet
