// GOT-OCR 2.0: transformers' modeling_got_ocr2.py. GotOcr2Model = `vision_tower` (SAM's ViT-B image encoder under
// the GotOcr2 prefix, sam_vit.h), `multi_modal_projector` (two stride-2 3x3 convs without bias, output_channels ->
// 2 * output_channels -> the text width, then a Linear) and `language_model` (AutoModel of text_config, Qwen2 by
// default). No _no_split_modules of its own: the union is the language model's. GotOcr2ForConditionalGeneration
// adds lm_head, tied by default; checkpoints use LLaVA's names.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/sam_vit.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  Config v = c.sub("vision_config");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "qwen2"}}, "qwen2");
  int64_t th = media::dim(tc.c, "hidden_size", 1024), out = media::dim(v, "output_channels", 256);
  Model vision{sam_vision_encoder(v, "GotOcr2", "GotOcr2VisionAttention"), {}};
  auto proj = make("GotOcr2MultiModalProjector");
  proj->add("conv_upsampler1", conv2d(out, 2 * out, 3, false));
  proj->add("conv_upsampler2", conv2d(2 * out, th, 3, false));
  proj->add("multimodal_projector", linear(th, th));
  Model base = vision_projector_text("GotOcr2Model", vision, proj, auto_model(tc.c));
  if (cls == "GotOcr2Model") return base;
  if (cls != "GotOcr2ForConditionalGeneration") heads::unsupported(cls);
  Model m = conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 151860),
                                   c.b("tie_word_embeddings", true));
  m.to_checkpoint = llava_checkpoint_names({"vision_tower", "multi_modal_projector"});
  return m;
}

MEMFIT_FAMILY({"got_ocr2"}, "GotOcr2", build);

}  // namespace
}  // namespace memfit
