// timm HighPerfGpuNet, PP-HGNet V1/V2 (timm/models/hgnet.py) from its registered model_cfg: StemV1 (three ConvBNActs +
// max-pool) or StemV2 (stem1..stem4), four HighPerfGpuStages (depthwise downsample ConvBNAct, HighPerfGpuBlocks of
// layer_num ConvBNAct / LightConvBNAct layers whose outputs are concatenated into an ESE (V1) or squeeze-excitation
// (V2) aggregation), and a ClassifierHead with a 1x1 last_conv. use_lab adds LearnableAffineBlocks after activations.
#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr lab() {
  auto m = make("LearnableAffineBlock");
  m->param("scale", {1});
  m->param("bias", {1});
  return m;
}

ModulePtr conv_bn_act(bool use_lab, int64_t in, int64_t out, int64_t k, int64_t groups = 1, bool act = true) {
  auto m = make("ConvBNAct");
  m->add("conv", conv2d(in, out, k, false, groups));
  m->add("bn", batch_norm(out));
  m->add("act", leaf(act ? "ReLU" : "Identity"));
  m->add("lab", act && use_lab ? lab() : leaf("Identity"));
  return m;
}

ModulePtr hg_block(bool use_lab, bool v1, int64_t in, int64_t mid, int64_t out, int64_t layers, int64_t k, bool light) {
  auto b = make("HighPerfGpuBlock");
  b->add("layers", timm::seq(layers, [&](int64_t i) {
           int64_t c = i == 0 ? in : mid;
           if (!light) return conv_bn_act(use_lab, c, mid, k);
           auto l = make("LightConvBNAct");
           l->add("conv1", conv_bn_act(use_lab, c, mid, 1, 1, false));
           l->add("conv2", conv_bn_act(use_lab, mid, mid, k, mid));
           return l;
         }, "ModuleList"));
  int64_t total = in + layers * mid;
  auto agg = make("Sequential");
  if (v1) {
    agg->add("0", conv_bn_act(use_lab, total, out, 1));
    auto ese = make("EseModule");
    ese->add("conv", conv2d(out, out, 1));
    ese->add("sigmoid", leaf("Sigmoid"));
    agg->add("1", ese);
  } else {
    agg->add("0", conv_bn_act(use_lab, total, out / 2, 1));
    agg->add("1", conv_bn_act(use_lab, out / 2, out, 1));
  }
  b->add("aggregation", agg);
  b->add("drop_path", leaf("Identity"));
  return b;
}

Model build(const timm::Args& a) {
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object() || !cfg.contains("stem_type") || !cfg.contains("stem_chs")) a.unsupported("model_cfg");
  std::string stem_type = cfg.at("stem_type").get<std::string>();
  auto stem_chs = cfg.at("stem_chs").get<std::vector<int64_t>>();
  bool v1 = stem_type == "v1", use_lab = a.b("use_lab");
  if (!v1 && stem_type != "v2") a.unsupported("stem_type " + stem_type);
  if (stem_chs.size() != (v1 ? 3u : 2u)) a.unsupported("stem_chs");
  for (auto c : stem_chs) timm::checked(c, 2, 1 << 16, "stem_chs");
  int64_t in_chans = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  auto root = make("HighPerfGpuNet");
  if (v1) {
    auto stem = make("StemV1");
    auto s = make("Sequential");
    int64_t prev = in_chans;
    for (int i = 0; i < 3; ++i) {
      s->add(std::to_string(i), conv_bn_act(false, prev, stem_chs[i], 3));
      prev = stem_chs[i];
    }
    stem->add("stem", s);
    stem->add("pool", leaf("MaxPool2d"));
    root->add("stem", stem);
  } else {
    int64_t mid = stem_chs[0], out = stem_chs[1];
    auto stem = make("StemV2");
    stem->add("stem1", conv_bn_act(use_lab, in_chans, mid, 3));
    stem->add("stem2a", conv_bn_act(use_lab, mid, mid / 2, 2));
    stem->add("stem2b", conv_bn_act(use_lab, mid / 2, mid, 2));
    stem->add("stem3", conv_bn_act(use_lab, mid * 2, mid, 3));
    stem->add("stem4", conv_bn_act(use_lab, mid, out, 1));
    stem->add("pool", leaf("MaxPool2d"));
    root->add("stem", stem);
  }
  auto stages = make("Sequential");
  int64_t last = 0;
  for (int i = 0; i < 4; ++i) {
    std::string key = "stage" + std::to_string(i + 1);
    if (!cfg.contains(key) || !cfg.at(key).is_array() || cfg.at(key).size() != 8) a.unsupported("model_cfg " + key);
    const Json& sc = cfg.at(key);
    int64_t in = timm::checked(sc[0].get<int64_t>(), 1, 1 << 16, "in_chs");
    int64_t mid = timm::checked(sc[1].get<int64_t>(), 1, 1 << 16, "mid_chs");
    int64_t out = timm::checked(sc[2].get<int64_t>(), 2, 1 << 16, "out_chs");
    int64_t nblocks = timm::checked(sc[3].get<int64_t>(), 1, 256, "block_num");
    bool down = sc[4].get<bool>(), light = sc[5].get<bool>();
    int64_t k = timm::checked(sc[6].get<int64_t>(), 1, 31, "kernel_size");
    int64_t layers = timm::checked(sc[7].get<int64_t>(), 1, 256, "layer_num");
    auto st = make("HighPerfGpuStage");
    st->add("downsample", down ? conv_bn_act(use_lab, in, in, 3, in, false) : leaf("Identity"));
    st->add("blocks", timm::seq(nblocks, [&](int64_t j) {
              return hg_block(use_lab, v1, j == 0 ? in : out, mid, out, layers, k, light);
            }));
    stages->add(std::to_string(i), st);
    last = out;
  }
  root->add("stages", stages);
  auto head = make("ClassifierHead");
  head->add("global_pool", timm::select_pool());
  int64_t features = last;
  if (a.has("head_hidden_size")) {
    features = timm::checked(a.i("head_hidden_size"), 1, 1 << 20, "head_hidden_size");
    auto lc = make("Sequential");
    lc->add("0", conv2d(last, features, 1, false));
    lc->add("1", leaf("ReLU"));
    if (use_lab) lc->add("2", lab());
    head->add("last_conv", lc);
  } else {
    head->add("last_conv", leaf("Identity"));
  }
  head->add("dropout", leaf("Dropout"));
  head->add("flatten", leaf(a.s("global_pool").empty() ? "Identity" : "Flatten"));
  head->add("fc", timm::fc_or_identity(features, a.i("num_classes")));
  root->add("head", head);
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"HighPerfGpuNet"}, build);

}  // namespace
}  // namespace memfit
