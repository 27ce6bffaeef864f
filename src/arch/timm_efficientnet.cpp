// timm EfficientNet (timm/models/efficientnet.py, _gen_efficientnet): conv_stem, bn1, the builder's block stages,
// conv_head, bn2, global_pool, classifier. efficientnet_b0..b8 and tf_efficientnet_b0..b8 (same tensors).
#include <map>

#include "arch/timm_effnet_builder.h"

namespace memfit {
namespace {
using namespace blocks;

Model build(const Config& c, std::string_view arch) {
  // (channel_multiplier, depth_multiplier) of efficientnet-b0..b8
  static const std::map<std::string, std::pair<double, double>, std::less<>> mult{
      {"b0", {1.0, 1.0}}, {"b1", {1.0, 1.1}}, {"b2", {1.1, 1.2}}, {"b3", {1.2, 1.4}}, {"b4", {1.4, 1.8}},
      {"b5", {1.6, 2.2}}, {"b6", {1.8, 2.6}}, {"b7", {2.0, 3.1}}, {"b8", {2.2, 3.6}}};
  std::string_view v = arch;
  if (v.starts_with("tf_")) v.remove_prefix(3);
  if (!v.starts_with("efficientnet_")) timm::unsupported(arch);
  auto it = mult.find(v.substr(13));
  if (it == mult.end()) timm::unsupported(arch);
  timm::EffnetBuilder b;
  b.channel_multiplier = it->second.first;
  b.depth_multiplier = it->second.second;
  int64_t stem = b.round_chs(32);
  auto root = make("EfficientNet");
  root->add("conv_stem", conv2d(timm::in_chans(c), stem, 3, false));
  root->add("bn1", timm::bn_act(stem));
  root->add("blocks", b.build(stem, {{"ds_r1_k3_s1_e1_c16_se0.25"},
                                     {"ir_r2_k3_s2_e6_c24_se0.25"},
                                     {"ir_r2_k5_s2_e6_c40_se0.25"},
                                     {"ir_r3_k3_s2_e6_c80_se0.25"},
                                     {"ir_r3_k5_s1_e6_c112_se0.25"},
                                     {"ir_r4_k5_s2_e6_c192_se0.25"},
                                     {"ir_r1_k3_s1_e6_c320_se0.25"}}));
  int64_t features = b.round_chs(1280);
  root->add("conv_head", conv2d(b.in_chs, features, 1, false));
  root->add("bn2", timm::bn_act(features));
  root->add("global_pool", timm::select_pool());
  root->add("classifier", timm::fc_or_identity(features, timm::num_classes(c)));
  return timm::model(root);
}

MEMFIT_TIMM_FAMILY({"efficientnet_", "tf_efficientnet_"}, build);

}  // namespace
}  // namespace memfit
