// timm RegNet (timm/models/regnet.py): stem ConvNormAct, stages s1..s4 of Bottlenecks (conv1, grouped conv2, SEModule,
// conv3, conv1x1 / avg downsample; PreBottleneck for preact; GroupNormAct norms; RegNetZ linear_out + final_conv) with
// widths from generate_regnet (float32 arithmetic like torch), ClassifierHead; RegNetX/Y/Z/V from the RegNetCfg its
// registered name passes.
#include <cmath>
#include <map>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// The cfg's norm + act layer: BatchNormAct2d, or GroupNormAct (weight and bias, no running stats).
struct Norm {
  int64_t group_size = 0;  // 0: batchnorm
  ModulePtr operator()(int64_t c) const {
    if (!group_size) return timm::bn_act(c);
    auto n = make("GroupNormAct");
    n->param("weight", {c});
    n->param("bias", {c});
    n->add("drop", leaf("Identity"));
    n->add("act", leaf("ReLU"));
    return n;
  }
  ModulePtr conv(int64_t in, int64_t out, int64_t k, int64_t groups = 1) const {
    auto m = make("ConvNormAct");
    m->add("conv", conv2d(in, out, k, false, groups));
    m->add("bn", (*this)(out));
    return m;
  }
};

struct Block {
  Norm norm;
  bool preact, linear_out;
  std::string shortcut;  // create_shortcut's downsample: "conv1x1", "avg" (pool + conv) or "" (None when shapes change)
  double bottle_ratio, se_ratio;
};

// Bottleneck (conv1, grouped conv2, SEModule, conv3, act3, downsample) or PreBottleneck (norm before each conv).
ModulePtr bottleneck(const Block& o, int64_t in, int64_t out, int64_t group_size, bool first) {
  int64_t mid = static_cast<int64_t>(std::nearbyint(out * o.bottle_ratio));
  auto b = make(o.preact ? "PreBottleneck" : "Bottleneck");
  auto se = [&]() -> ModulePtr {
    if (o.se_ratio <= 0) return leaf("Identity");
    return timm::se_module(mid, static_cast<int64_t>(std::nearbyint(in * o.se_ratio)));
  };
  if (o.preact) {
    b->add("norm1", o.norm(in));
    b->add("conv1", conv2d(in, mid, 1, false));
    b->add("norm2", o.norm(mid));
    b->add("conv2", conv2d(mid, mid, 3, false, mid / group_size));
    b->add("se", se());
    b->add("norm3", o.norm(mid));
    b->add("conv3", conv2d(mid, out, 1, false));
  } else {
    b->add("conv1", o.norm.conv(in, mid, 1));
    b->add("conv2", o.norm.conv(mid, mid, 3, mid / group_size));
    b->add("se", se());
    b->add("conv3", o.norm.conv(mid, out, 1));
    b->add("act3", leaf(o.linear_out ? "Identity" : "ReLU"));
  }
  bool changes = first;  // the first block of every stage is strided (output_stride 32), later ones keep the shape
  if (!changes) b->add("downsample", leaf("Identity"));
  else if (!o.shortcut.empty()) {
    auto conv = o.preact ? conv2d(in, out, 1, false) : o.norm.conv(in, out, 1);
    if (o.shortcut == "avg") {  // downsample_avg: Sequential(AvgPool2d, conv)
      auto s = make("Sequential");
      s->add("0", leaf("AvgPool2d"));
      s->add("1", conv);
      conv = s;
    }
    b->add("downsample", conv);
  }
  b->add("drop_path", leaf("Identity"));
  return b;
}

// The model_cfg (a RegNetCfg of regnet.py's model_cfgs, data/timm/models.json) gives depth, w0, wa, wm, group size,
// bottle and SE ratios.
Model build(const timm::Args& a) {
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object()) a.unsupported("model_cfg is not a RegNetCfg");
  Block o{};
  o.preact = cfg.value("preact", false);
  o.linear_out = cfg.value("linear_out", false);
  const Json ds = cfg.value("downsample", Json());
  if (ds == "conv1x1" || ds == "avg") o.shortcut = ds.get<std::string>();
  else if (!ds.is_null() && ds != "") a.unsupported("downsample " + ds.dump());
  const Json& nl = cfg.at("norm_layer");
  if (timm::layer_name(nl) == "GroupNormAct") {
    auto kw = nl.find("kwargs");
    if (kw == nl.end() || !kw->contains("group_size") || !(*kw)["group_size"].is_number_integer()) a.unsupported("GroupNormAct without group_size");
    o.norm.group_size = (*kw)["group_size"].get<int64_t>();
  } else if (nl != "batchnorm") {
    a.unsupported("norm_layer " + nl.dump());
  }
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  struct {
    int64_t w0;
    float wa, wm;
    int64_t group_size, depth;
  } g{cfg.at("w0").get<int64_t>(), cfg.at("wa").get<float>(), cfg.at("wm").get<float>(), cfg.at("group_size").get<int64_t>(),
      timm::checked(cfg.at("depth").get<int64_t>(), 1, 1000, "depth")};
  if (g.w0 <= 0 || g.w0 % 8 || g.wm <= 1 || g.wa < 0 || g.group_size <= 0) a.unsupported("RegNetCfg out of range");
  double br = cfg.at("bottle_ratio").get<double>();
  o.bottle_ratio = br;
  o.se_ratio = cfg.at("se_ratio").get<double>();
  double min_ratio = cfg.at("group_min_ratio").get<double>();
  // generate_regnet: per-block widths, quantized to 8; stages = runs of equal width.
  std::vector<int64_t> widths;
  const double log_wm = std::log(cfg.at("wm").get<double>());  // math.log of the Python float
  for (int64_t i = 0; i < g.depth; ++i) {
    float cont = static_cast<float>(i) * g.wa + static_cast<float>(g.w0);
    float e = std::nearbyint(std::log(cont / static_cast<float>(g.w0)) / static_cast<float>(log_wm));
    float w = std::nearbyint(static_cast<float>(g.w0) * std::pow(g.wm, e) / 8.0f) * 8.0f;
    widths.push_back(static_cast<int64_t>(w));
  }
  std::map<int64_t, int64_t> stage;  // torch.unique sorts
  for (auto w : widths) ++stage[w];
  auto root = make("RegNet");
  int64_t stem = cfg.at("stem_width").get<int64_t>();
  int64_t in_chans = timm::checked(a.i("in_chans"), 1, 4096, "in_chans");
  root->add("stem", o.preact ? conv2d(in_chans, stem, 3, false) : o.norm.conv(in_chans, stem, 3));
  int64_t prev = stem, si = 0;
  for (auto [w, depth] : stage) {
    // adjust_widths_groups_comp: the bottleneck width a multiple of the group size
    int64_t w_bot = static_cast<int64_t>(w * br);
    int64_t gs = std::min(g.group_size, w_bot);
    w_bot = min_ratio > 0 ? timm::make_divisible(static_cast<double>(w_bot), gs)
                          : static_cast<int64_t>(std::nearbyint(static_cast<double>(w_bot) / gs)) * gs;
    int64_t out = static_cast<int64_t>(w_bot / br);
    auto st = make("RegStage");
    for (int64_t k = 0; k < depth; ++k) {
      st->add("b" + std::to_string(k + 1), bottleneck(o, k ? out : prev, out, gs, k == 0));
    }
    root->add("s" + std::to_string(++si), st);
    prev = out;
  }
  if (si != 4) a.unsupported("not four stages");
  int64_t nf = cfg.value("num_features", int64_t{0});
  if (nf > 0) {
    root->add("final_conv", o.norm.conv(prev, timm::checked(nf, 1, 1 << 20, "num_features"), 1));
    prev = nf;
  } else {
    root->add("final_conv", leaf(o.linear_out || o.preact ? "SiLU" : "Identity"));
  }
  root->add("head", timm::classifier_head(prev, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"RegNet"}, build);

}  // namespace
}  // namespace memfit
