// timm SelecSls (timm/models/selecsls.py) from its registered model_cfg: a conv_bn stem, SelecSlsBlocks (six conv_bn
// layers, conv6 over the concatenated d1/d2/d3 plus the stage's skip input) listed in `features`, a conv_bn head list,
// and create_classifier's pool / dropout / Linear.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// conv_bn: Sequential of a bias-free conv, BatchNorm2d and ReLU.
ModulePtr conv_bn(int64_t in, int64_t out, int64_t k) {
  auto s = make("Sequential");
  s->add("0", conv2d(in, out, k, false));
  s->add("1", batch_norm(out));
  s->add("2", leaf("ReLU"));
  return s;
}

Model build(const timm::Args& a) {
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object() || !cfg.contains("features") || !cfg.contains("head") || !cfg.contains("num_features"))
    a.unsupported("model_cfg");
  if (timm::layer_name(cfg.at("block")) != "SelecSlsBlock") a.unsupported("block " + timm::layer_name(cfg.at("block")));
  const Json &features = cfg.at("features"), &head_cfg = cfg.at("head");
  if (!features.is_array() || features.size() > 256 || !head_cfg.is_array() || head_cfg.size() > 64)
    a.unsupported("model_cfg features / head");
  auto ch = [](const Json& v) { return timm::checked(v.get<int64_t>(), 0, 1 << 16, "channels"); };
  auto root = make("SelecSls");
  root->add("stem", conv_bn(timm::checked(a.i("in_chans"), 1, 4096, "in_chans"), 32, 3));
  auto feats = make("SequentialList");
  for (size_t i = 0; i < features.size(); ++i) {
    const Json& f = features[i];
    if (!f.is_array() || f.size() != 6) a.unsupported("features entry");
    int64_t in = ch(f[0]), skip = ch(f[1]), mid = ch(f[2]), out = ch(f[3]);
    bool first = f[4].get<bool>();
    auto b = make("SelecSlsBlock");
    b->add("conv1", conv_bn(in, mid, 3));
    b->add("conv2", conv_bn(mid, mid, 1));
    b->add("conv3", conv_bn(mid, mid / 2, 3));
    b->add("conv4", conv_bn(mid / 2, mid, 1));
    b->add("conv5", conv_bn(mid, mid / 2, 3));
    b->add("conv6", conv_bn(2 * mid + (first ? 0 : skip), out, 1));
    feats->add(std::to_string(i), b);
  }
  root->add("features", feats);
  root->add("from_seq", leaf("SelectSeq"));
  auto head = make("Sequential");
  for (size_t i = 0; i < head_cfg.size(); ++i) {
    const Json& h = head_cfg[i];
    if (!h.is_array() || h.size() != 4) a.unsupported("head entry");
    head->add(std::to_string(i), conv_bn(ch(h[0]), ch(h[1]), timm::checked(h[2].get<int64_t>(), 1, 31, "kernel")));
  }
  root->add("head", head);
  int64_t nf = ch(cfg.at("num_features"));
  root->add("global_pool", timm::select_pool());
  root->add("head_drop", leaf("Dropout"));
  root->add("fc", timm::fc_or_identity(nf, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"SelecSls"}, build);

}  // namespace
}  // namespace memfit
