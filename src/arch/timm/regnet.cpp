// timm RegNet (timm/models/regnet.py): stem ConvNormAct, stages s1..s4 of Bottlenecks (conv1, grouped conv2, SEModule,
// conv3, conv1x1 downsample) with widths from generate_regnet (float32 arithmetic like torch), ClassifierHead; RegNetX/Y
// from the RegNetCfg its registered name passes.
#include <cmath>
#include <map>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr bottleneck(int64_t in, int64_t out, int64_t group_size, double bottle_ratio, double se_ratio, bool down) {
  int64_t mid = static_cast<int64_t>(std::nearbyint(out * bottle_ratio));
  auto b = make("Bottleneck");
  b->add("conv1", timm::conv_norm_act(in, mid, 1));
  b->add("conv2", timm::conv_norm_act(mid, mid, 3, mid / group_size));
  if (se_ratio > 0) {
    int64_t rd = static_cast<int64_t>(std::nearbyint(in * se_ratio));
    b->add("se", timm::se_module(mid, rd));
  } else {
    b->add("se", leaf("Identity"));
  }
  b->add("conv3", timm::conv_norm_act(mid, out, 1));
  b->add("act3", leaf("ReLU"));
  b->add("downsample", down ? timm::conv_norm_act(in, out, 1) : leaf("Identity"));
  b->add("drop_path", leaf("Identity"));
  return b;
}

// The model_cfg (a RegNetCfg of regnet.py's model_cfgs, data/timm/models.json) gives depth, w0, wa, wm, group size,
// bottle and SE ratios.
Model build(const timm::Args& a) {
  const Json& cfg = a.raw("model_cfg");
  if (!cfg.is_object()) a.unsupported("model_cfg is not a RegNetCfg");
  if (cfg.value("preact", false)) a.unsupported("pre-activation RegNet (preact)");
  if (cfg.value("linear_out", false) || cfg.value("num_features", 0) != 0) a.unsupported("RegNetZ head (linear_out)");
  if (cfg.value("downsample", Json()) != "conv1x1") a.unsupported("downsample " + cfg.value("downsample", Json()).dump());
  if (cfg.value("norm_layer", Json()) != "batchnorm") a.unsupported("norm_layer " + cfg.value("norm_layer", Json()).dump());
  if (a.i("output_stride") != 32) a.unsupported("output_stride other than 32");
  struct {
    int64_t w0;
    float wa, wm;
    int64_t group_size, depth;
  } g{cfg.at("w0").get<int64_t>(), cfg.at("wa").get<float>(), cfg.at("wm").get<float>(), cfg.at("group_size").get<int64_t>(),
      timm::checked(cfg.at("depth").get<int64_t>(), 1, 1000, "depth")};
  if (g.w0 <= 0 || g.w0 % 8 || g.wm <= 1 || g.wa < 0 || g.group_size <= 0) a.unsupported("RegNetCfg out of range");
  double br = cfg.at("bottle_ratio").get<double>(), se_ratio = cfg.at("se_ratio").get<double>();
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
  root->add("stem", timm::conv_norm_act(a.i("in_chans"), stem, 3));
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
      st->add("b" + std::to_string(k + 1), bottleneck(k ? out : prev, out, gs, br, se_ratio, k == 0));
    }
    root->add("s" + std::to_string(++si), st);
    prev = out;
  }
  if (si != 4) a.unsupported("not four stages");
  root->add("final_conv", leaf("Identity"));
  root->add("head", timm::classifier_head(prev, a.i("num_classes")));
  return timm::model(root);
}

MEMFIT_TIMM_CLASS({"RegNet"}, build);

}  // namespace
}  // namespace memfit
