// timm ResNet (timm/models/resnet.py): stem conv/bn/act/maxpool, four stages of BasicBlock or Bottleneck,
// SelectAdaptivePool2d + fc classifier.
#include <map>

#include "arch/blocks.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  bool bottleneck;
  std::vector<int64_t> layers;
};

const std::map<std::string, Variant, std::less<>>& variants() {
  static const std::map<std::string, Variant, std::less<>> v{
      {"resnet10t", {false, {1, 1, 1, 1}}}, {"resnet18", {false, {2, 2, 2, 2}}},
      {"resnet34", {false, {3, 4, 6, 3}}},  {"resnet26", {true, {2, 2, 2, 2}}},
      {"resnet50", {true, {3, 4, 6, 3}}},   {"resnet101", {true, {3, 4, 23, 3}}},
      {"resnet152", {true, {3, 8, 36, 3}}}, {"resnet200", {true, {3, 24, 36, 3}}},
  };
  return v;
}

ModulePtr downsample(int64_t in, int64_t out) {
  auto d = make("Sequential");
  d->add("0", conv2d(in, out, 1, false));
  d->add("1", batch_norm(out));
  return d;
}

ModulePtr basic_block(int64_t in, int64_t planes, bool down) {
  auto b = make("BasicBlock");
  b->add("conv1", conv2d(in, planes, 3, false));
  b->add("bn1", batch_norm(planes));
  b->add("drop_block", leaf("Identity"));
  b->add("act1", leaf("ReLU"));
  b->add("aa", leaf("Identity"));
  b->add("conv2", conv2d(planes, planes, 3, false));
  b->add("bn2", batch_norm(planes));
  b->add("act2", leaf("ReLU"));
  if (down) b->add("downsample", downsample(in, planes));
  return b;
}

ModulePtr bottleneck(int64_t in, int64_t planes, bool down) {
  int64_t out = planes * 4;
  auto b = make("Bottleneck");
  b->add("conv1", conv2d(in, planes, 1, false));
  b->add("bn1", batch_norm(planes));
  b->add("act1", leaf("ReLU"));
  b->add("conv2", conv2d(planes, planes, 3, false));
  b->add("bn2", batch_norm(planes));
  b->add("drop_block", leaf("Identity"));
  b->add("act2", leaf("ReLU"));
  b->add("aa", leaf("Identity"));
  b->add("conv3", conv2d(planes, out, 1, false));
  b->add("bn3", batch_norm(out));
  b->add("act3", leaf("ReLU"));
  if (down) b->add("downsample", downsample(in, out));
  return b;
}

Model build(const Config& c, std::string_view arch) {
  auto it = variants().find(arch);
  if (it == variants().end()) throw UnsupportedClass("timm architecture `" + std::string(arch) + "` is not supported yet");
  const Variant& v = it->second;
  int64_t expansion = v.bottleneck ? 4 : 1;
  auto root = make("ResNet");
  root->add("conv1", conv2d(c.i("in_chans", 3), 64, 7, false));
  root->add("bn1", batch_norm(64));
  root->add("act1", leaf("ReLU"));
  root->add("maxpool", leaf("MaxPool2d"));
  int64_t in = 64;
  const int64_t planes[] = {64, 128, 256, 512};
  for (int s = 0; s < 4; ++s) {
    auto stage = make("Sequential");
    for (int64_t k = 0; k < v.layers[s]; ++k) {
      bool down = k == 0 && (s > 0 || in != planes[s] * expansion);
      stage->add(std::to_string(k), v.bottleneck ? bottleneck(in, planes[s], down) : basic_block(in, planes[s], down));
      in = planes[s] * expansion;
    }
    root->add("layer" + std::to_string(s + 1), stage);
  }
  auto pool = make("SelectAdaptivePool2d");
  pool->add("pool", leaf("AdaptiveAvgPool2d"));
  pool->add("flatten", leaf("Flatten"));
  root->add("global_pool", pool);
  int64_t classes = c.i("num_classes", 1000);
  root->add("fc", classes > 0 ? linear(in, classes) : leaf("Identity"));
  return {root, {}, "timm"};
}

MEMFIT_TIMM_FAMILY({"resnet"}, build);

}  // namespace
}  // namespace memfit
