// DeepSeek-VL hybrid: transformers' modeling_deepseek_vl_hybrid.py DeepseekVLHybridModel. A high-resolution SAM
// vision encoder (AutoModel of high_res_vision_config, sam_vision_model by default) with its neck (1x1 then 3x3
// bias-free convs, each followed by a channels-first LayerNorm) and projection (two stride-2 3x3 convs doubling the
// channels), the parameter `high_res_vision_alpha` [1], the low-resolution vision model (SigLIP by default), the
// aligner (both encodings to half the text width each, GELU, proj) and the language model (Llama by default).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  SubConfig hc = sub_config(c, "high_res_vision_config", {{"model_type", "sam_vision_model"}}, "sam_vision_model");
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "siglip_vision_model"}}, "siglip_vision_model");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "llama"}}, "llama");
  Model high = auto_model(hc.c), vision = auto_model(vc.c), text = auto_model(tc.c);
  int64_t hidden = hc.c.i("hidden_size"), ch = hc.c.i("output_channels"), th = tc.c.i("hidden_size");
  auto norm = [](int64_t d) { return layer_norm(d, true, "DeepseekVLHybridLayerNorm"); };

  auto neck = make("DeepseekVLSamVisionNeck");
  neck->add("conv1", conv2d(hidden, ch, 1, false));
  neck->add("layer_norm1", norm(ch));
  neck->add("conv2", conv2d(ch, ch, 3, false));
  neck->add("layer_norm2", norm(ch));
  auto proj = make("DeepseekVLSamVisionProj");
  proj->add("conv1", conv2d(ch, 2 * ch, 3, false));
  proj->add("conv2", conv2d(2 * ch, 4 * ch, 3, false));
  auto aligner = make("DeepseekVLHybridAligner");
  aligner->add("vision_proj", linear(vc.c.i("hidden_size"), th / 2));
  aligner->add("high_res_vision_proj", linear(4 * ch, th / 2));
  aligner->add("act", leaf("GELU"));
  aligner->add("proj", linear(th, th));

  auto m = make("DeepseekVLHybridModel");
  m->add("high_res_vision_model", high.root);
  m->add("high_res_vision_neck", neck);
  m->add("high_res_vision_proj", proj);
  m->param("high_res_vision_alpha", {1});
  m->add("vision_model", vision.root);
  m->add("aligner", aligner);
  m->add("language_model", text.root);
  Model base{m, text.no_split};
  merge_no_split(base.no_split, high.no_split);
  merge_no_split(base.no_split, vision.no_split);
  if (cls == "DeepseekVLHybridModel") return base;
  if (cls != "DeepseekVLHybridForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"deepseek_vl_hybrid"}, "DeepseekVLHybrid", build);

}  // namespace
}  // namespace memfit
