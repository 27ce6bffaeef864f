// timm's _efficientnet_builder / _efficientnet_blocks shared by EfficientNet and MobileNetV3: the block strings of
// decode_arch_def ("ir_r2_k3_s2_e6_c24_se0.25") decoded and depth-scaled, then built into stages of
// DepthwiseSeparableConv, InvertedResidual, EdgeResidual and ConvBnAct blocks with their SqueezeExcite, following the
// class's arguments (round_chs_fn, norm_layer, se_layer, se_from_exp) from data/timm/models.json.
#pragma once
#include <string>
#include <vector>

#include "arch/timm/defs.h"
#include "arch/timm/layers.h"

namespace memfit::timm {

// round_channels(chs, multiplier, divisor, channel_min, round_limit) as bound by a partial (or the plain function).
struct RoundChannels {
  double multiplier = 1.0, round_limit = 0.9;
  int64_t divisor = 8, channel_min = 0;
  explicit RoundChannels(const Json& fn);
  int64_t operator()(double chs) const;
};

// _efficientnet_blocks.SqueezeExcite: conv_reduce, act1, conv_expand, gate (`gate` its class).
ModulePtr effnet_se(int64_t chs, int64_t rd, std::string gate = "Sigmoid");

class EffnetBuilder {
 public:
  explicit EffnetBuilder(const Args& a);
  // The model's norm + act layer (BatchNormAct2d / GroupNormAct / LayerNormAct2d / EvoNorm2dS0) over `chs`; `act`
  // false for timm's apply_act=False (only EvoNorm2dS0 then has fewer tensors).
  ModulePtr norm_act(int64_t chs, bool act = true) const;
  // The model's plain norm_layer (BatchNorm2d / RmsNorm2d) over `chs`.
  ModulePtr norm(int64_t chs) const;
  // create_conv2d: a Conv2d, or a MixedConv2d when `kernels` has several sizes; `groups` as the block computed.
  ModulePtr conv(int64_t in, int64_t out, const std::vector<int64_t>& kernels, int64_t groups = 1) const;
  // create_aa for a block's stride: nullptr (noop None) / Identity below stride 2 or without aa_layer, else
  // AvgPool2d or BlurPool2d over `chs`.
  ModulePtr aa(int64_t chs, int64_t stride, bool noop = true) const;
  // timm.layers ConvNormAct: conv, bn (the norm + act layer), aa when strided with an aa_layer.
  ModulePtr conv_norm_act(int64_t in, int64_t out, const std::vector<int64_t>& k, int64_t groups = 1,
                          int64_t stride = 1, bool act = true) const;
  // LayerScale2d (gamma) when the model has layer_scale_init_value, else Identity.
  ModulePtr layer_scale(int64_t chs) const;
  // The stages (nn.Sequential of nn.Sequential) for `block_args`, from `stem_chs` input channels.
  ModulePtr build(int64_t stem_chs);
  const RoundChannels round_chs;
  int64_t in_chs = 0;  // after build: the last block's output channels
  std::vector<int64_t> stage_out, stage_stride;  // after build: each stage's output channels and first block's stride

 private:
  const Args& a_;
  std::string norm_, aa_;
  bool layer_scale_ = false;
  double norm_group_size_ = 0;
  bool se_from_exp_;
};

}  // namespace memfit::timm
