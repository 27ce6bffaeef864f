// EfficientNet's backbone (transformers' modeling_efficientnet.py), shared with ALIGN's vision model.
#pragma once
#include <string>

#include "format/config.h"
#include "tree/module.h"

namespace memfit {

// <p>Model: embeddings (stem), encoder.blocks (MBConv blocks), with `top` the encoder's 1x1 top conv + BatchNorm,
// and the pooler; every class is named `p` + EfficientNet's suffix ("EfficientNet", "AlignVision").
ModulePtr efficientnet_model(const Config& c, const std::string& p, bool top);

}  // namespace memfit
