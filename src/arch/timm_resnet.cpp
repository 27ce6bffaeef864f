// timm ResNet (timm/models/resnet.py): stem conv/bn/act/maxpool, four stages of BasicBlock or Bottleneck,
// SelectAdaptivePool2d + fc classifier.
#include <map>

#include "arch/timm_layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Variant {
  bool bottleneck;
  std::vector<int64_t> layers;
};

const std::map<std::string, Variant, std::less<>>& variants() {
  static const std::map<std::string, Variant, std::less<>> v{
      {"resnet18", {false, {2, 2, 2, 2}}}, {"resnet34", {false, {3, 4, 6, 3}}},
      {"resnet26", {true, {2, 2, 2, 2}}},
      {"resnet50", {true, {3, 4, 6, 3}}},   {"resnet101", {true, {3, 4, 23, 3}}},
      {"resnet152", {true, {3, 8, 36, 3}}}, {"resnet200", {true, {3, 24, 36, 3}}},
  };
  return v;
}

Model build(const Config& c, std::string_view arch) {
  auto it = variants().find(arch);
  if (it == variants().end()) timm::unsupported(arch);
  const Variant& v = it->second;
  int64_t expansion = v.bottleneck ? 4 : 1;
  auto root = make("ResNet");
  root->add("conv1", conv2d(timm::in_chans(c), 64, 7, false));
  root->add("bn1", batch_norm(64));
  root->add("act1", leaf("ReLU"));
  root->add("maxpool", leaf("MaxPool2d"));
  int64_t in = 64;
  const int64_t planes[] = {64, 128, 256, 512};
  for (int s = 0; s < 4; ++s) {
    auto stage = make("Sequential");
    for (int64_t k = 0; k < v.layers[s]; ++k) {
      bool down = k == 0 && (s > 0 || in != planes[s] * expansion);
      stage->add(std::to_string(k), v.bottleneck ? timm::resnet_bottleneck(in, planes[s], down) : timm::resnet_basic(in, planes[s], down));
      in = planes[s] * expansion;
    }
    root->add("layer" + std::to_string(s + 1), stage);
  }
  auto pool = make("SelectAdaptivePool2d");
  pool->add("pool", leaf("AdaptiveAvgPool2d"));
  pool->add("flatten", leaf("Flatten"));
  root->add("global_pool", pool);
  int64_t classes = timm::num_classes(c);
  root->add("fc", classes > 0 ? linear(in, classes) : leaf("Identity"));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"resnet"}, build);

}  // namespace
}  // namespace memfit
