// timm DenseNet (timm/models/densenet.py) from its registered arguments: features (conv0, norm0 or the 'deep' 3x3
// stem conv0..conv2 / norm0..norm2, pool0 (with a BlurPool2d for densenetblur), denseblockN of DenseLayers norm1/conv1/
// norm2/conv2, transitionN norm/conv/pool, norm5; norms are BatchNormAct2d), global_pool, head_drop, classifier.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const timm::Args& a) {
  if (a.s("norm_layer") != "batchnorm2d") a.unsupported("norm_layer " + a.s("norm_layer"));
  std::string aa = a.has("aa_layer") ? a.layer("aa_layer") : "";
  if (!aa.empty() && aa != "BlurPool2d") a.unsupported("aa_layer " + aa);
  if (!aa.empty() && !a.b("aa_stem_only")) a.unsupported("anti-aliased transitions (aa_stem_only=False)");
  const int64_t gr = timm::checked(a.i("growth_rate"), 1, 4096, "growth_rate");
  const int64_t bn_size = timm::checked(a.i("bn_size"), 1, 64, "bn_size");
  int64_t nf = 2 * gr;
  auto f = make("Sequential");
  const std::string stem = a.s("stem_type");
  const int64_t in_chans = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  if (stem.find("deep") != std::string::npos) {
    int64_t s1 = gr, s2 = gr;
    if (stem.find("tiered") != std::string::npos) {
      s1 = 3 * (gr / 4);
      s2 = stem.find("narrow") != std::string::npos ? nf : 6 * (gr / 4);
    }
    f->add("conv0", conv2d(in_chans, s1, 3, false));
    f->add("norm0", timm::bn_act(s1));
    f->add("conv1", conv2d(s1, s2, 3, false));
    f->add("norm1", timm::bn_act(s2));
    f->add("conv2", conv2d(s2, nf, 3, false));
    f->add("norm2", timm::bn_act(nf));
  } else {
    f->add("conv0", conv2d(in_chans, nf, 7, false));
    f->add("norm0", timm::bn_act(nf));
  }
  if (aa.empty()) {
    f->add("pool0", leaf("MaxPool2d"));
  } else {
    auto p = make("Sequential");
    p->add("0", leaf("MaxPool2d"));
    p->add("1", timm::blur_pool(nf));
    f->add("pool0", p);
  }
  const auto cfg = a.ints("block_config");
  for (size_t i = 0; i < cfg.size(); ++i) {
    auto block = make("DenseBlock");
    for (int64_t k = 0; k < timm::checked(cfg[i], 0, 1000, "block_config"); ++k) {
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
  root->add("classifier", timm::fc_or_identity(nf, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"DenseNet"}, build);

}  // namespace
}  // namespace memfit
