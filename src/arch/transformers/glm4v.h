// The GLM-4V vision tower's patch merger (glm4v.cpp), shared with GLM-OCR's tower (glm_ocr.cpp).
#pragma once
#include <cstdint>
#include <string>

#include "tree/module.h"

namespace memfit {

// <p>VisionPatchMerger: bias-free proj (dim -> dim), post_projection_norm, gate/up (dim -> ctx), down (ctx -> dim).
ModulePtr glm4v_patch_merger(const std::string& p, int64_t dim, int64_t ctx, const std::string& act);

}  // namespace memfit
