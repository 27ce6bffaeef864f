// Pixtral's vision encoder as its own model type (pixtral): transformers' modeling_pixtral.py PixtralVisionModel
// (patch_conv, ln_pre, transformer of RMSNorm attention layers with a gated MLP, the 2D rotary table), built by
// vision_towers.h and shared with LLaVA / Mistral3 checkpoints whose vision_config is a pixtral one.
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"pixtral"}, "Pixtral", [](const Config& c, std::string_view cls) {
  if (cls != "PixtralVisionModel") heads::unsupported(cls);
  return pixtral_vision_model(c);
}, "PixtralVisionModel");

}  // namespace
}  // namespace memfit
