// DETR pieces other families embed (detr.cpp).
#pragma once
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// <P>Decoder: decoder_layers DETR decoder layers (self-attention, cross-attention, fc1/fc2 MLP, three LayerNorms)
// over d_model, then a LayerNorm.
ModulePtr detr_decoder(const Config& c, const std::string& p);
// Replaces every BatchNorm2d below `m` by <P>FrozenBatchNorm2d: weight, bias, running_mean, running_var buffers.
void freeze_batch_norm(Module& m, const std::string& p);

}  // namespace memfit
