// Mask2Former pieces OneFormer shares (mask2former.cpp): the pixel-level module and torch's nn.MultiheadAttention.
#pragma once
#include <cstdint>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::mask2former {

// The config keys a family names its pixel decoder's sizes with (Mask2Former: feature_size, mask_feature_size,
// feature_strides; OneFormer: conv_dim, mask_dim, strides) and its class prefix.
struct Keys {
  std::string p, dim, mask_dim, strides;
};
// <P>PixelLevelModule: the SwinBackbone load_backbone builds (encoder) and the multi-scale deformable pixel decoder.
ModulePtr pixel_level_module(const Config& c, const Keys& k);
// nn.MultiheadAttention(h, heads): in_proj_weight [3h, h], in_proj_bias, out_proj (NonDynamicallyQuantizableLinear).
ModulePtr multihead_attention(int64_t h);

}  // namespace memfit::mask2former
