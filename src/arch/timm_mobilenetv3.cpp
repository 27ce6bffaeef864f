// timm MobileNetV3 (timm/models/mobilenetv3.py, _gen_mobilenet_v3): conv_stem, bn1, the efficientnet builder's
// stages (SE width from the expanded channels, hard-sigmoid gate), global_pool, conv_head (+bias), classifier.
#include <map>

#include "arch/timm_effnet_builder.h"

namespace memfit {
namespace {
using namespace blocks;

Model build(const Config& c, std::string_view arch) {
  static const std::map<std::string, std::pair<double, double>, std::less<>> variants{
      {"mobilenetv3_large_075", {0.75, 1.0}}, {"mobilenetv3_large_100", {1.0, 1.0}},
      {"mobilenetv3_large_150d", {1.5, 1.2}}, {"mobilenetv3_small_050", {0.5, 1.0}},
      {"mobilenetv3_small_075", {0.75, 1.0}}, {"mobilenetv3_small_100", {1.0, 1.0}},
      {"tf_mobilenetv3_large_075", {0.75, 1.0}}, {"tf_mobilenetv3_large_100", {1.0, 1.0}},
      {"tf_mobilenetv3_large_minimal_100", {1.0, 1.0}}, {"tf_mobilenetv3_small_075", {0.75, 1.0}},
      {"tf_mobilenetv3_small_100", {1.0, 1.0}}, {"tf_mobilenetv3_small_minimal_100", {1.0, 1.0}}};
  auto it = variants.find(arch);
  if (it == variants.end()) timm::unsupported(arch);
  bool small = arch.find("small") != std::string_view::npos;
  bool minimal = arch.find("minimal") != std::string_view::npos;
  std::vector<std::vector<std::string>> def;
  if (small && minimal)
    def = {{"ds_r1_k3_s2_e1_c16"}, {"ir_r1_k3_s2_e4.5_c24", "ir_r1_k3_s1_e3.67_c24"},
           {"ir_r1_k3_s2_e4_c40", "ir_r2_k3_s1_e6_c40"}, {"ir_r2_k3_s1_e3_c48"}, {"ir_r3_k3_s2_e6_c96"},
           {"cn_r1_k1_s1_c576"}};
  else if (small)
    def = {{"ds_r1_k3_s2_e1_c16_se0.25_nre"}, {"ir_r1_k3_s2_e4.5_c24_nre", "ir_r1_k3_s1_e3.67_c24_nre"},
           {"ir_r1_k5_s2_e4_c40_se0.25", "ir_r2_k5_s1_e6_c40_se0.25"}, {"ir_r2_k5_s1_e3_c48_se0.25"},
           {"ir_r3_k5_s2_e6_c96_se0.25"}, {"cn_r1_k1_s1_c576"}};
  else if (minimal)
    def = {{"ds_r1_k3_s1_e1_c16"}, {"ir_r1_k3_s2_e4_c24", "ir_r1_k3_s1_e3_c24"}, {"ir_r3_k3_s2_e3_c40"},
           {"ir_r1_k3_s2_e6_c80", "ir_r1_k3_s1_e2.5_c80", "ir_r2_k3_s1_e2.3_c80"}, {"ir_r2_k3_s1_e6_c112"},
           {"ir_r3_k3_s2_e6_c160"}, {"cn_r1_k1_s1_c960"}};
  else
    def = {{"ds_r1_k3_s1_e1_c16_nre"}, {"ir_r1_k3_s2_e4_c24_nre", "ir_r1_k3_s1_e3_c24_nre"},
           {"ir_r3_k5_s2_e3_c40_se0.25_nre"},
           {"ir_r1_k3_s2_e6_c80", "ir_r1_k3_s1_e2.5_c80", "ir_r2_k3_s1_e2.3_c80"}, {"ir_r2_k3_s1_e6_c112_se0.25"},
           {"ir_r3_k5_s2_e6_c160_se0.25"}, {"cn_r1_k1_s1_c960"}};
  timm::EffnetBuilder b;
  b.channel_multiplier = it->second.first;
  b.depth_multiplier = it->second.second;
  b.se_from_exp = true;
  b.se_round_channels = true;
  int64_t stem = b.channel_multiplier < 0.75 ? 16 : b.round_chs(16);
  int64_t features = small ? 1024 : 1280;
  auto root = make("MobileNetV3");
  root->add("conv_stem", conv2d(timm::in_chans(c), stem, 3, false));
  root->add("bn1", timm::bn_act(stem));
  root->add("blocks", b.build(stem, def));
  root->add("global_pool", timm::select_pool());
  root->add("conv_head", conv2d(b.in_chs, features, 1, true));
  root->add("norm_head", leaf("Identity"));
  root->add("act2", leaf("Hardswish"));
  root->add("flatten", leaf("Flatten"));
  root->add("classifier", timm::fc_or_identity(features, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"mobilenetv3_", "tf_mobilenetv3_"}, build);

}  // namespace
}  // namespace memfit
