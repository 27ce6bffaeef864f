// SAM's ViT image encoder (transformers' modeling_sam.py SamVisionEncoder), shared with GOT-OCR 2.0, whose
// GotOcr2VisionEncoder is the same tree under its own class prefix: patch_embed, an absolute pos_embed, layers of
// windowed (or, at global_attn_indexes, global) attention with relative positions + MLP, and a conv neck.
#pragma once
#include <string>
#include <string_view>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// <p>MLPBlock: lin1, lin2, act (config hidden_act, else `act_default`).
ModulePtr sam_mlp_block(const std::string& p, const Config& c, int64_t h, int64_t mlp_dim,
                        std::string_view act_default);
// <p>VisionEncoder with attention modules of class `attn_cls` (SAM's from_config picks the SDPA one).
ModulePtr sam_vision_encoder(const Config& c, const std::string& p, const std::string& attn_cls);

}  // namespace memfit
