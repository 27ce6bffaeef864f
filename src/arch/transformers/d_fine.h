// D-FINE's pieces that DEIMv2 (modeling_deimv2.py, a modular copy) shares (d_fine.cpp).
#pragma once
#include <cstdint>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::dfine {

// <P>ConvNormLayer: a bias-free Conv2d, BatchNorm2d and the activation (`act` empty: Identity).
ModulePtr conv_norm(const std::string& p, int64_t in, int64_t out, int64_t k, const std::string& act,
                    int64_t groups = 1);
// <P>MLP: `layers` Linears in -> hidden ... -> out, then the activation module.
ModulePtr mlp(const std::string& p, int64_t in, int64_t hidden, int64_t out, int64_t layers,
              const std::string& act = "relu");
// A family's FPN / PAN block (RepNCSPELAN4 for D-FINE, RepNCSPELAN5 for DEIMv2) over width h with `blocks` RepVGG
// blocks per CSP layer.
using CspBlock = ModulePtr (*)(const Config& c, int64_t h, int64_t blocks);
// <P>HybridEncoder: AIFI layers (self-attention, LayerNorm, an <P>MLP feed-forward, LayerNorm), lateral 1x1
// conv-norms, `block` for every FPN and PAN block (round(3 * depth_mult) RepVGG blocks each), SCDown downsamplers.
ModulePtr hybrid_encoder(const Config& c, const std::string& p, int64_t h, CspBlock block);

}  // namespace memfit::dfine
