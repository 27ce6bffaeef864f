// timm DenseNet (timm/models/densenet.py): features (conv0, norm0, pool0, denseblockN of DenseLayers norm1/conv1/
// norm2/conv2, transitionN norm/conv/pool, norm5; norms are BatchNormAct2d), global_pool, head_drop, classifier.
#include <map>

#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, std::pair<int64_t, std::vector<int64_t>>, std::less<>> variants{
      {"densenet121", {32, {6, 12, 24, 16}}},
      {"densenet169", {32, {6, 12, 32, 32}}},
      {"densenet201", {32, {6, 12, 48, 32}}},
      {"densenet161", {48, {6, 12, 36, 24}}},
  };
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  const int64_t gr = it->second.first, bn_size = 4;
  int64_t nf = 2 * gr;
  auto f = make("Sequential");
  f->add("conv0", conv2d(timm::in_chans(c), nf, 7, false));
  f->add("norm0", timm::bn_act(nf));
  f->add("pool0", leaf("MaxPool2d"));
  const auto& cfg = it->second.second;
  for (size_t i = 0; i < cfg.size(); ++i) {
    auto block = make("DenseBlock");
    for (int64_t k = 0; k < cfg[i]; ++k) {
      int64_t in = nf + k * gr;
      auto l = make("DenseLayer");
      l->add("norm1", timm::bn_act(in));
      l->add("conv1", conv2d(in, bn_size * gr, 1, false));
      l->add("norm2", timm::bn_act(bn_size * gr));
      l->add("conv2", conv2d(bn_size * gr, gr, 3, false));
      block->add("denselayer" + std::to_string(k + 1), l);
    }
    f->add("denseblock" + std::to_string(i + 1), block);
    nf += cfg[i] * gr;
    if (i + 1 != cfg.size()) {
      auto t = make("DenseTransition");
      t->add("norm", timm::bn_act(nf));
      t->add("conv", conv2d(nf, nf / 2, 1, false));
      t->add("pool", leaf("AvgPool2d"));
      f->add("transition" + std::to_string(i + 1), t);
      nf /= 2;
    }
  }
  f->add("norm5", timm::bn_act(nf));
  auto root = make("DenseNet");
  root->add("features", f);
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("classifier", timm::fc_or_identity(nf, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"densenet"}, build);

}  // namespace
}  // namespace memfit
