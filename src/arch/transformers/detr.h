// DETR pieces other families embed (detr.cpp).
#pragma once
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// <P>Decoder: decoder_layers DETR decoder layers (self-attention, cross-attention, fc1/fc2 MLP, three LayerNorms)
// over d_model, then a LayerNorm.
ModulePtr detr_decoder(const Config& c, const std::string& p);
// The timm backbone of the DETR family (config `backbone` / a timm_backbone backbone_config; features_only, so the
// classifier becomes an Identity; its BatchNorms frozen as <P>FrozenBatchNorm2d); `channels` gets its last width.
// Throws UnsupportedClass for a transformers backbone or a timm model without a `fc` classifier.
ModulePtr detr_timm_backbone(const Config& c, const std::string& p, int64_t& channels);
// Replaces every BatchNorm2d below `m` by <P>FrozenBatchNorm2d: weight, bias, running_mean, running_var buffers.
void freeze_batch_norm(Module& m, const std::string& p);

}  // namespace memfit
