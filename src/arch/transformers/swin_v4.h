// The Swin variants in the transformers 4 layout (swin_v4.cpp) that other families embed.
#pragma once
#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// MaskFormerSwinBackbone (modeling_maskformer_swin.py): `model` (MaskFormerSwinModel) and hidden_states_norms.
ModulePtr maskformer_swin_backbone(const Config& c);

}  // namespace memfit
