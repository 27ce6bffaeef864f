// Qwen3-VL's vision tower (transformers' modeling_qwen3_vl.py), shared with Qwen3.5 and Qwen3.5-MoE, whose towers
// are the same tree under their own class prefix.
#pragma once
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// <p>VisionModel: Conv3d patch_embed, learned pos_embed, a float32 rotary table, blocks of LayerNorm + qkv attention
// + MLP, the patch merger and, with `deepstack`, one post-shuffle-norm merger per deepstack_visual_indexes entry.
ModulePtr qwen3_vl_vision(const Config& v, const std::string& p, bool deepstack);

}  // namespace memfit
