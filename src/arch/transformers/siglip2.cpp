// SigLIP 2's vision tower as its own model type (siglip2_vision_model): transformers' modeling_siglip2.py
// Siglip2VisionModel, built by vision_towers.h.
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"siglip2_vision_model"}, "Siglip2Vision", [](const Config& c, std::string_view cls) {
  if (cls != "Siglip2VisionModel") heads::unsupported(cls);
  return siglip2_vision_model(c);
}, "Siglip2VisionModel");

}  // namespace
}  // namespace memfit
