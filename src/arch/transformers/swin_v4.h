// The Swin variants in the transformers 4 layout (swin_v4.cpp) that other families embed.
#pragma once
#include <cstdint>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// MaskFormerSwinBackbone (modeling_maskformer_swin.py): `model` (MaskFormerSwinModel) and hidden_states_norms.
ModulePtr maskformer_swin_backbone(const Config& c);
// Donut's Swin layer (layernorm_before, attention.self with a persistent relative_position_index and
// attention.output, drop_path, layernorm_after, intermediate, output) under the class prefix `p` (CLAP's audio
// encoder: "ClapAudio"); `drop_path` makes the drop_path slot a DonutDropPath instead of an Identity.
ModulePtr swin_v4_layer(const Config& c, const std::string& p, int64_t dim, int64_t heads, int64_t window,
                        bool drop_path);
// Swin V2's layer (attention with logit_scale, the continuous position bias MLP, non-persistent coordinate / index
// buffers and a bias-free key; then layernorm_before, an Identity drop_path, intermediate, output, layernorm_after)
// under the class prefix `p` (Swin2SR's layers).
ModulePtr swin_v2_layer(const Config& c, const std::string& p, int64_t dim, int64_t heads, int64_t window);

}  // namespace memfit
