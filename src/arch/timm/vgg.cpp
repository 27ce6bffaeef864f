// timm VGG (timm/models/vgg.py): `features` Sequential of 3x3 convs (+BatchNorm for *_bn) / ReLU / MaxPool from the
// cfg list, pre_logits ConvMlp (7x7 conv fc1, 1x1 conv fc2), ClassifierHead.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, std::vector<int>, std::less<>> cfgs{
      {"vgg11", {64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}},
      {"vgg13", {64, 64, 0, 128, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0}},
      {"vgg16", {64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0}},
      {"vgg19", {64, 64, 0, 128, 128, 0, 256, 256, 256, 256, 0, 512, 512, 512, 512, 0, 512, 512, 512, 512, 0}},
  };
  std::string_view name = arch;
  bool bn = name.ends_with("_bn");
  if (bn) name.remove_suffix(3);
  auto it = cfgs.find(name);
  if (it == cfgs.end()) timm::unsupported(arch);
  auto features = make("Sequential");
  int64_t prev = timm::in_chans(c), idx = 0;
  for (int v : it->second) {
    if (v == 0) {
      features->add(std::to_string(idx++), leaf("MaxPool2d"));
      continue;
    }
    features->add(std::to_string(idx++), conv2d(prev, v, 3));
    if (bn) features->add(std::to_string(idx++), batch_norm(v));
    features->add(std::to_string(idx++), leaf("ReLU"));
    prev = v;
  }
  auto root = make("VGG");
  root->add("features", features);
  auto pre = make("ConvMlp");
  pre->add("fc1", conv2d(prev, 4096, 7));
  pre->add("act1", leaf("ReLU"));
  pre->add("drop", leaf("Dropout"));
  pre->add("fc2", conv2d(4096, 4096, 1));
  pre->add("act2", leaf("ReLU"));
  root->add("pre_logits", pre);
  root->add("head", timm::classifier_head(4096, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"vgg"}, build);

}  // namespace
}  // namespace memfit
