// Cosmos3-Omni: transformers' modeling_cosmos3_omni.py Cosmos3OmniModel, AutoModel of its vision_config (Qwen3-VL's
// vision tower by default; a `qwen3_vl` type there means `qwen3_vl_vision`) under `visual` and of its text_config
// (Qwen3-VL's text model by default) under `language_model`.
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  Json vj = c.has("vision_config") && c.raw()["vision_config"].is_object() ? c.raw()["vision_config"] : Json::object();
  if (vj.value("model_type", "") == "qwen3_vl") vj["model_type"] = "qwen3_vl_vision";
  SubConfig vc = make_config({{"model_type", "qwen3_vl_vision"}}, vj, "qwen3_vl_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "qwen3_vl_text"}}, "qwen3_vl_text");
  Model vision = auto_model(vc.c), text = auto_model(tc.c);
  auto m = make("Cosmos3OmniModel");
  m->add("visual", vision.root);
  m->add("language_model", text.root);
  Model base{m, text.no_split};
  merge_no_split(base.no_split, vision.no_split);
  if (cls == "Cosmos3OmniModel") return base;
  if (cls != "Cosmos3OmniForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, tc.c.i("hidden_size"), tc.c.i("vocab_size"),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"cosmos3_omni"}, "Cosmos3Omni", build);

}  // namespace
}  // namespace memfit
