// Pieces the EfficientFormer family (EfficientFormer, EfficientFormerV2, SwiftFormer) shares: the two-conv stride-4
// stem and the distilled head pair.
#pragma once
#include <cstdint>

#include "arch/blocks.h"

namespace memfit::timm {

// conv 3x3 s2 (in -> out/2), BatchNorm2d, ReLU, conv 3x3 s2 (-> out), BatchNorm2d, ReLU; the children named
// conv1 / norm1 / act1 / conv2 / norm2 / act2 under a Stem4 (`named`), else 0..5 under a Sequential.
ModulePtr conv_bn_relu_stem(int64_t in, int64_t out, bool named);
// head_drop, head and (when `dist`) head_dist: Linear(in, classes), or Identity for classes 0.
void add_distilled_heads(Module& root, int64_t in, int64_t classes, bool dist = true);

}  // namespace memfit::timm
