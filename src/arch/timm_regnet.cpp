// timm RegNet (timm/models/regnet.py): stem ConvNormAct, stages s1..s4 of Bottlenecks (conv1, grouped conv2, SEModule,
// conv3, conv1x1 downsample) with widths from generate_regnet (float32 arithmetic like torch), ClassifierHead.
#include <cmath>
#include <map>

#include "arch/timm_layers.h"

namespace memfit {
namespace {
using namespace blocks;

struct Cfg {
  int64_t w0;
  float wa, wm;
  int64_t group_size, depth;
  bool se;
};

ModulePtr bottleneck(int64_t in, int64_t out, int64_t group_size, bool se, bool down) {
  int64_t mid = out;  // bottle_ratio 1
  auto b = make("Bottleneck");
  b->add("conv1", timm::conv_norm_act(in, mid, 1));
  b->add("conv2", timm::conv_norm_act(mid, mid, 3, mid / group_size));
  if (se) {
    int64_t rd = static_cast<int64_t>(std::nearbyint(in * 0.25));
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

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, Cfg, std::less<>> cfgs{
      {"regnetx_002", {24, 36.44f, 2.49f, 8, 13, false}},    {"regnetx_004", {24, 24.48f, 2.54f, 16, 22, false}},
      {"regnetx_006", {48, 36.97f, 2.24f, 24, 16, false}},   {"regnetx_008", {56, 35.73f, 2.28f, 16, 16, false}},
      {"regnetx_016", {80, 34.01f, 2.25f, 24, 18, false}},   {"regnetx_032", {88, 26.31f, 2.25f, 48, 25, false}},
      {"regnetx_040", {96, 38.65f, 2.43f, 40, 23, false}},   {"regnetx_064", {184, 60.83f, 2.07f, 56, 17, false}},
      {"regnetx_080", {80, 49.56f, 2.88f, 120, 23, false}},  {"regnetx_120", {168, 73.36f, 2.37f, 112, 19, false}},
      {"regnetx_160", {216, 55.59f, 2.1f, 128, 22, false}},  {"regnetx_320", {320, 69.86f, 2.0f, 168, 23, false}},
      {"regnety_002", {24, 36.44f, 2.49f, 8, 13, true}},     {"regnety_004", {48, 27.89f, 2.09f, 8, 16, true}},
      {"regnety_006", {48, 32.54f, 2.32f, 16, 15, true}},    {"regnety_008", {56, 38.84f, 2.4f, 16, 14, true}},
      {"regnety_016", {48, 20.71f, 2.65f, 24, 27, true}},    {"regnety_032", {80, 42.63f, 2.66f, 24, 21, true}},
      {"regnety_040", {96, 31.41f, 2.24f, 64, 22, true}},    {"regnety_064", {112, 33.22f, 2.27f, 72, 25, true}},
      {"regnety_080", {192, 76.82f, 2.19f, 56, 17, true}},   {"regnety_120", {168, 73.36f, 2.37f, 112, 19, true}},
      {"regnety_160", {200, 106.23f, 2.48f, 112, 18, true}}, {"regnety_320", {232, 115.89f, 2.53f, 232, 20, true}},
  };
  auto it = cfgs.find(arch);
  if (it == cfgs.end()) timm::unsupported(arch);
  const Cfg& g = it->second;
  // generate_regnet: per-block widths, quantized to 8; stages = runs of equal width.
  std::vector<int64_t> widths;
  const double log_wm = std::log(static_cast<double>(g.wm));
  for (int64_t i = 0; i < g.depth; ++i) {
    float cont = static_cast<float>(i) * g.wa + static_cast<float>(g.w0);
    float e = std::nearbyint(std::log(cont / static_cast<float>(g.w0)) / static_cast<float>(log_wm));
    float w = std::nearbyint(static_cast<float>(g.w0) * std::pow(g.wm, e) / 8.0f) * 8.0f;
    widths.push_back(static_cast<int64_t>(w));
  }
  std::map<int64_t, int64_t> stage;  // torch.unique sorts
  for (auto w : widths) ++stage[w];
  auto root = make("RegNet");
  root->add("stem", timm::conv_norm_act(timm::in_chans(c), 32, 3));
  int64_t prev = 32, si = 0;
  for (auto [w, depth] : stage) {
    int64_t gs = std::min(g.group_size, w);
    int64_t out = static_cast<int64_t>(std::nearbyint(static_cast<double>(w) / gs)) * gs;
    auto st = make("RegStage");
    for (int64_t k = 0; k < depth; ++k) {
      st->add("b" + std::to_string(k + 1), bottleneck(k ? out : prev, out, gs, g.se, k == 0));
    }
    root->add("s" + std::to_string(++si), st);
    prev = out;
  }
  if (si != 4) throw ConfigError("regnet: expected 4 stages");
  root->add("final_conv", leaf("Identity"));
  root->add("head", timm::classifier_head(prev, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"regnetx_", "regnety_"}, build);

}  // namespace
}  // namespace memfit
