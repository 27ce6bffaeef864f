// SigLIP 2: transformers' modeling_siglip2.py. Siglip2Model (text_model, vision_model, logit_scale, logit_bias),
// Siglip2ForImageClassification (vision_model + classifier) and the vision tower alone (siglip2_vision_model). The
// text tower is SiglipTextModel under Siglip2 names (embeddings with a position_ids buffer, encoder, final_layer_norm,
// head Linear(hidden, projection_size)); the vision tower is built by vision_towers.h (a Linear patch embedding over
// flattened patches, num_patches learned positions, the attention-pooling head unless vision_use_head is false).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const std::vector<std::string> kNoSplit{"Siglip2TextEmbeddings", "Siglip2VisionEmbeddings", "Siglip2EncoderLayer",
                                        "Siglip2MultiheadAttentionPoolingHead"};

// Renames every class (shared nodes once: a repeated layer is renamed through its first reference) from Siglip...
// to Siglip2...
void to_siglip2(Module& m) {
  if (m.cls.starts_with("Siglip") && !m.cls.starts_with("Siglip2")) m.cls = "Siglip2" + m.cls.substr(6);
  for (auto& [name, child] : m.children) to_siglip2(*child);
}

Model text_model(const Config& tc) {
  Model m = siglip_text_model(tc);
  to_siglip2(*m.root);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", Json::object(), "siglip2_text_model");
  SubConfig vc = sub_config(c, "vision_config", Json::object(), "siglip2_vision_model");
  Model vision = siglip2_vision_model(vc.c);
  auto root = make(std::string(cls));
  if (cls == "Siglip2Model") {
    root->add("text_model", text_model(tc.c).root);
    root->add("vision_model", vision.root);
    root->param("logit_scale", {1}).param("logit_bias", {1});
  } else if (cls == "Siglip2ForImageClassification") {
    root->add("vision_model", vision.root);
    root->add("classifier", media::linear_or_identity(media::dim(vc.c, "hidden_size", 768), heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, kNoSplit};
}

MEMFIT_FAMILY({"siglip2"}, "Siglip2", build);
MEMFIT_FAMILY({"siglip2_vision_model"}, "Siglip2Vision", [](const Config& c, std::string_view cls) {
  if (cls != "Siglip2VisionModel") heads::unsupported(cls);
  return siglip2_vision_model(c);
}, "Siglip2VisionModel");

}  // namespace
}  // namespace memfit
