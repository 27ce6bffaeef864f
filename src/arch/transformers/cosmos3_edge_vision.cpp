// Cosmos3-Edge's vision tower (cosmos3_edge_vision): transformers' modeling_cosmos3_edge.py Cosmos3EdgeVisionModel,
// SigLIP 2's vision tree (Linear patch embedding over flattened patches, num_patches learned positions, encoder,
// post LayerNorm) without the attention-pooling head.
#include "arch/transformers/heads.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

void rename_classes(Module& m) {
  if (m.cls.starts_with("Siglip2")) m.cls = "Cosmos3EdgeVision" + m.cls.substr(7);
  for (auto& [name, child] : m.children) rename_classes(*child);
}

MEMFIT_FAMILY({"cosmos3_edge_vision"}, "Cosmos3EdgeVision", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "Cosmos3EdgeVisionModel") heads::unsupported(cls);
  Json over = c.raw();
  over["vision_use_head"] = false;
  SubConfig vc = make_config(Json::object(), over, c.model_type());
  Model m = siglip2_vision_model(vc.c);
  rename_classes(*m.root);
  m.root->cls = "Cosmos3EdgeVisionModel";
  return {m.root, {"Cosmos3EdgeTextDecoderLayer", "Cosmos3EdgeVisionEncoderLayer"}};
});

}  // namespace
}  // namespace memfit
