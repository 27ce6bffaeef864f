// TIPSv2's dual encoder: transformers' modeling_tipsv2.py, Tipsv2Model = text_model (Tipsv2TextModel,
// tipsv2_text.cpp) + vision_model (Tipsv2VisionModel, dinov2.cpp) + a learnable scalar `temperature`.
// Tipsv2Config refuses towers of different widths (text_config.hidden_size != vision_config.hidden_size).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  if (cls != "Tipsv2Model") heads::unsupported(cls);
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "tipsv2_text_model"}}, "tipsv2_text_model");
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "tipsv2_vision_model"}}, "tipsv2_vision_model");
  if (tc.c.i("hidden_size", 768) != vc.c.i("hidden_size", 768))
    throw ConfigError("transformers itself refuses this config: text_config.hidden_size and "
                      "vision_config.hidden_size must be equal (model_type `tipsv2`)");
  if (c.f("temperature_init_value", 0.005065968260169029) <= 0)
    throw ConfigError("transformers itself refuses this config: temperature_init_value must be strictly positive");
  Model text = auto_model(tc.c), vision = auto_model(vc.c);
  auto root = make("Tipsv2Model");
  root->add("text_model", text.root);
  root->add("vision_model", vision.root);
  root->param("temperature", {});
  std::vector<std::string> no_split{"Tipsv2TextEmbeddings", "Tipsv2TextEncoderLayer", "Tipsv2VisionEmbeddings",
                                    "Tipsv2VisionLayer"};
  merge_no_split(no_split, text.no_split);
  merge_no_split(no_split, vision.no_split);
  return {root, no_split};
}

MEMFIT_FAMILY({"tipsv2"}, "Tipsv2", build);

}  // namespace
}  // namespace memfit
