// Aya Vision and Command A Vision: transformers' modeling_aya_vision.py and modeling_cohere2_vision.py. Both are the
// SigLIP vision tower AutoModel builds from vision_config, a SwiGLU projector over the pixel-shuffled vision features
// (vision hidden * downsample_factor^2 -> alignment_intermediate_size, whose halves gate each other, then
// intermediate / 2 -> the text width) and the text model AutoModel builds from text_config (Cohere2). Aya's projector
// starts with a LayerNorm and its intermediate size defaults to the text width when the config does not set it.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// `p`: "AyaVision" or "Cohere2Vision".
Model build(const Config& c, std::string_view cls, const std::string& p) {
  bool aya = p == "AyaVision";
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "siglip_vision_model"}}, "siglip_vision_model");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "cohere2"}}, "cohere2");
  int64_t vh = media::dim(vc.c, "hidden_size", 1152), th = media::dim(tc.c, "hidden_size", 4096);
  // SiglipAttention refuses a width its heads do not divide (Aya's default vision config, 1152 over 14 heads, fails
  // in transformers too).
  media::divisible(vc.c, vh, media::dim(vc.c, "num_attention_heads", 12), "hidden_size / num_attention_heads");
  Model vision = auto_model(vc.c);
  Model text = auto_model(tc.c);
  int64_t factor = media::dim(c, "downsample_factor", 2);
  media::require(c, factor <= 64, "downsample_factor too large");
  int64_t in = vh * factor * factor;
  int64_t inter = media::dim(c, "alignment_intermediate_size", aya ? th : 36864);
  auto proj = make(p + "MultiModalProjector");
  if (aya) proj->add("layernorm", layer_norm(in));
  proj->add("linear_1", linear(in, inter));
  proj->add("act", leaf(aya ? act_class("silu") : "SiLU"));  // ACT2FN["silu"] / nn.SiLU()
  proj->add("linear_2", linear(inter / 2, th));
  Model base = vision_projector_text(p + "Model", vision, proj, text);
  if (cls == p + "Model") return base;
  if (cls != p + "ForConditionalGeneration") heads::unsupported(cls);
  Model out = conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 256000),
                                     c.b("tie_word_embeddings", true));
  out.to_checkpoint = llava_checkpoint_names({"vision_tower", "multi_modal_projector"});
  return out;
}

MEMFIT_FAMILY({"aya_vision"}, "AyaVision",
              [](const Config& c, std::string_view cls) { return build(c, cls, "AyaVision"); });
MEMFIT_FAMILY({"cohere2_vision"}, "Cohere2Vision",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Cohere2Vision"); });

}  // namespace
}  // namespace memfit
