// transformers' ResNet (modeling_resnet.py), shared with the families that load it as their backbone (TVP).
#pragma once
#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// ResNetModel (embedder, encoder, pooler) or, with `backbone`, ResNetBackbone (embedder, encoder).
ModulePtr resnet_model(const Config& c, bool backbone);

}  // namespace memfit
