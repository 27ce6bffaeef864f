// FastVLM: transformers' modeling_fast_vlm.py FastVlmModel, LLaVA's layout: the vision tower AutoModel builds from
// vision_config (a TimmWrapper of timm's fastvit_mci3 in inference mode by default, src/arch/timm/fastvit.cpp), a
// linear_1 / act / linear_2 projector from the vision hidden_size into the text width, and the text model AutoModel
// builds from text_config (Qwen2).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "timm_wrapper"}}, "timm_wrapper");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "qwen2"}}, "qwen2");
  Model vision = auto_model(vc.c);
  Model text = auto_model(tc.c);
  int64_t vh = media::dim(vc.c, "hidden_size", 3072), th = media::dim(tc.c, "hidden_size", 3584);
  auto proj = llava_projector("FastVlmMultiModalProjector", vh, th, c.b("multimodal_projector_bias", true),
                               c.s("projector_hidden_act", "gelu"));
  Model base = vision_projector_text("FastVlmModel", vision, proj, text);
  if (cls == "FastVlmModel") return base;
  if (cls != "FastVlmForConditionalGeneration") heads::unsupported(cls);
  Model out = conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 152128),
                                     c.b("tie_word_embeddings", false) || tc.c.b("tie_word_embeddings", false));
  out.to_checkpoint = llava_checkpoint_names({"vision_tower", "multi_modal_projector"});
  return out;
}

MEMFIT_FAMILY({"fast_vlm"}, "FastVlm", build);

}  // namespace
}  // namespace memfit
