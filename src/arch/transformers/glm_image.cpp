// GLM-Image: transformers' modeling_glm_image.py GlmImageModel. Three parts built from their own configs:
// GlmImageVisionModel (`visual`), GlmImageTextModel (`language_model`) and the GlmImageVQVAE (`vqmodel`); the
// ...ForConditionalGeneration head predicts the image-token vocabulary (text_config.vision_vocab_size).
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "glm_image_vision"}}, "glm_image_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "glm_image_text"}}, "glm_image_text");
  SubConfig qc = sub_config(c, "vq_config", {{"model_type", "glm_image_vqmodel"}}, "glm_image_vqmodel");
  Model text = auto_model(tc.c);
  auto m = make("GlmImageModel");
  m->add("visual", auto_model(vc.c).root);
  m->add("language_model", text.root);
  m->add("vqmodel", auto_model(qc.c).root);
  Model base{m, {"GlmImageTextDecoderLayer", "GlmImageVQVAEVectorQuantizer", "GlmImageVisionBlock"}};
  if (cls == "GlmImageModel") return base;
  if (cls != "GlmImageForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vision_vocab_size"), false);
}

MEMFIT_FAMILY({"glm_image"}, "GlmImage", build);

}  // namespace
}  // namespace memfit
