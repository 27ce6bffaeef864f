// HGNet-V2's conv pieces (modeling_hgnet_v2.py), shared with the PP-LCNet backbones that copy them.
#pragma once
#include <cstdint>
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit::hgnet {

// <P>ConvLayer: a bias-free Conv2d, BatchNorm2d, the activation (`act` empty: Identity) and, for an activated layer
// with `lab`, a <P>LearnableAffineBlock (scale and bias of one element each).
ModulePtr conv_layer(const std::string& p, int64_t in, int64_t out, int64_t k, int64_t groups, const std::string& act,
                     bool lab);
// PP-LCNet's <P>SqueezeExcitationModule over `ch` channels: 1x1 convs ch -> ch/reduction -> ch (ReLU, Hardsigmoid),
// or nn.Identity when `use` is false.
ModulePtr lcnet_se(const Config& c, const std::string& p, int64_t ch, bool use);
// <P>Embeddings' stem (stem1, stem2a, stem2b, stem3, stem4 over stem_channels, then a max pool) under class `cls`.
ModulePtr stem(const Config& c, const std::string& p, std::string cls);

}  // namespace memfit::hgnet
