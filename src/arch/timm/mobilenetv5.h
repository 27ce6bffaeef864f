// timm's MobileNetV5 encoder (timm/models/mobilenetv5.py), the vision tower of Gemma 3n (via TimmWrapperModel).
#pragma once
#include <string_view>

#include "tree/module.h"

namespace memfit {

// MobileNetV5Encoder for a timm architecture name ("mobilenetv5_300m_enc" or "mobilenetv5_base..."): conv_stem,
// blocks (EdgeResidual / UniversalInvertedResidual / MobileAttention stages) and the msfa fusion adapter.
// Returns nullptr for other architectures.
ModulePtr mobilenetv5_encoder(std::string_view arch);

}  // namespace memfit
