// DeepSeek-VL: transformers' modeling_deepseek_vl.py. The vision model AutoModel builds from vision_config (SigLIP by
// default), an aligner (linear1 vision -> text, GELU, linear2) and the language model AutoModel builds from
// text_config (Llama by default).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "siglip_vision_model"}}, "");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "llama"}}, "");
  Model vision = vision_tower_for(vc.c), text = auto_model(tc.c);
  int64_t vh = vc.c.i("hidden_size", 768), th = tc.c.i("hidden_size");
  auto aligner = make("DeepseekVLAligner");
  aligner->add("linear1", linear(vh, th));
  aligner->add("activation", leaf("GELU"));
  aligner->add("linear2", linear(th, th));
  auto m = make("DeepseekVLModel");
  m->add("vision_model", vision.root);
  m->add("aligner", aligner);
  m->add("language_model", text.root);
  Model base{m, vision.no_split};
  merge_no_split(base.no_split, text.no_split);
  if (cls == "DeepseekVLModel") return base;
  if (cls != "DeepseekVLForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", true));
}

MEMFIT_FAMILY({"deepseek_vl"}, "DeepseekVL", build);

}  // namespace
}  // namespace memfit
