// Cohere Compass's vision tower on its own (cohere_compass_vision, modeling_cohere_compass.py): the Qwen3-VL
// vision tree (Conv3d patch_embed, pos_embed, a float32 rotary inv_freq buffer, LayerNorm + fused-qkv attention +
// MLP blocks, the patch merger and one post-shuffle-norm merger per deepstack index) under the CohereCompass prefix.
// Its _no_split_modules is the text decoder layer's class alone (CohereCompassPreTrainedModel's), so no vision block
// is kept whole. (cohere_compass and cohere_compass_text fail in transformers itself: KeyError 'full_attention'.)
#include "arch/transformers/heads.h"
#include "arch/transformers/qwen3_vl.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  if (cls != "CohereCompassVisionModel") heads::unsupported(cls);
  return {qwen3_vl_vision(c, "CohereCompass", true), {"CohereCompassDecoderLayer"}};
}

MEMFIT_FAMILY({"cohere_compass_vision"}, "CohereCompassVision", build);

}  // namespace
}  // namespace memfit
