// LFM2-VL: transformers' modeling_lfm2_vl.py. Lfm2VlModel is the vision tower AutoModel builds from vision_config
// (SigLIP 2 by default, its pooling head included unless vision_use_head is false), a projector over the
// pixel-unshuffled vision features (LayerNorm when projector_use_layernorm, linear_1 to projector_hidden_size, the
// activation, linear_2 to the text width) and the text model AutoModel builds from text_config (LFM2).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "siglip2_vision_model"}}, "siglip2_vision_model");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "lfm2"}}, "lfm2");
  Model vision = auto_model(vc.c);
  Model text = auto_model(tc.c);
  int64_t factor = media::dim(c, "downsample_factor", 2), th = media::dim(tc.c, "hidden_size", 1024);
  media::require(c, factor <= 64, "downsample_factor too large");
  int64_t in = media::dim(vc.c, "hidden_size", 768) * factor * factor, ph = media::dim(c, "projector_hidden_size", 2560);
  bool bias = c.b("projector_bias", true);
  auto proj = make("Lfm2VlMultiModalProjector");
  if (c.b("projector_use_layernorm", true)) proj->add("layer_norm", layer_norm(in));
  proj->add("linear_1", linear(in, ph, bias));
  proj->add("act", leaf(act_class(c.s("projector_hidden_act", "gelu"))));
  proj->add("linear_2", linear(ph, th, bias));
  Model base = vision_projector_text("Lfm2VlModel", vision, proj, text);
  if (cls == "Lfm2VlModel") return base;
  if (cls != "Lfm2VlForConditionalGeneration") heads::unsupported(cls);
  Model out = conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 65536),
                                     c.b("tie_word_embeddings", true));
  return out;
}

MEMFIT_FAMILY({"lfm2_vl"}, "Lfm2Vl", build);

}  // namespace
}  // namespace memfit
