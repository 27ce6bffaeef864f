// CLIP's encoder layer on its own (modeling_clip.py CLIPEncoderLayer: self_attn with k/v/q/out_proj, layer_norm1,
// mlp fc1/fc2, layer_norm2), for the families that stack it in their own encoders (X-CLIP, GroupViT).
#pragma once
#include <cstdint>
#include <string>

#include "tree/module.h"

namespace memfit {

// <p>EncoderLayer with <p>Attention and <p>MLP (activation class from `act`, a hidden_act string).
ModulePtr clip_encoder_layer(const std::string& p, int64_t hidden, int64_t inter, const std::string& act);

}  // namespace memfit
