// The ViT encoder layer in the transformers 4 layout (attention.attention.query/key/value, attention.output.dense,
// intermediate.dense, output.dense, layernorm_before/after), shared by the ViT copies that kept it (YOLOS, DPT).
#pragma once
#include <cstdint>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// <P>Layer over hidden size `h` (intermediate_size, qkv_bias and hidden_act from the config); `self_cls` names the
// self-attention class (e.g. "YolosSelfAttention", DPT's "DPTSelfAttention") and `p` the rest ("DPTViT").
ModulePtr vit_v4_layer(const Config& c, const std::string& p, const std::string& self_cls, int64_t h);

}  // namespace memfit
