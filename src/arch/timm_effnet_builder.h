// timm's _efficientnet_builder / _efficientnet_blocks shared by EfficientNet and MobileNetV3: block strings
// ("ir_r2_k3_s2_e6_c24_se0.25") decoded, depth-scaled and built into stages of DepthwiseSeparableConv,
// InvertedResidual, EdgeResidual and ConvBnAct blocks with their SqueezeExcite.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "arch/timm_layers.h"

namespace memfit::timm {

struct EffnetBuilder {
  double channel_multiplier = 1.0;
  int64_t channel_divisor = 8;
  double depth_multiplier = 1.0;
  bool se_from_exp = false;      // SE width from the expanded (mid) channels (MobileNetV3) or from the block input
  bool se_round_channels = false;  // rd_round_fn = round_channels (MobileNetV3) instead of round()
  int64_t in_chs = 0;            // updated while building: the output channels of the last block

  // round_channels with this builder's multiplier.
  int64_t round_chs(double chs) const;
  // nn.Sequential of stages (each an nn.Sequential of blocks) from the arch definition.
  ModulePtr build(int64_t stem_chs, const std::vector<std::vector<std::string>>& arch_def);
};

}  // namespace memfit::timm
