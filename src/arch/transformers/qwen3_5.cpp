// Qwen3.5 (dense): transformers' modeling_qwen3_5.py. The text model is Qwen3-Next's hybrid stack (gated DeltaNet
// with split projections, or gated full attention, per layer_types) with a dense gated MLP on every layer; the
// vision tower is Qwen3-VL's (qwen3_vl.cpp). Qwen3_5Model (model_type qwen3_5) holds both: `visual`, then
// `language_model`; Qwen3_5ForConditionalGeneration adds lm_head over it.
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/transformers/qwen3_next.h"
#include "arch/transformers/qwen3_vl.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const NextVariant kText{"Qwen3_5", 248320, 32, 0, true, false};

ModulePtr text_model(const Config& t, DecoderSpec* s) {
  auto text = qwen3_next_text(t, kText, s);
  text->cls = "Qwen3_5TextModel";
  text->child("rotary_emb")->cls = "Qwen3_5TextRotaryEmbedding";
  return text;
}

// The text model on its own (model_type qwen3_5_text): Qwen3_5TextModel / Qwen3_5ForCausalLM.
Model build_text(const Config& c, std::string_view cls) {
  DecoderSpec s;
  auto text = text_model(c, &s);
  return heads::base_or_causal_lm(cls, "Qwen3_5TextModel", "Qwen3_5ForCausalLM", text, s.hidden, s.vocab,
                                  s.tie_embeddings, {"Qwen3_5DecoderLayer", "Qwen3_5VisionBlock"});
}

MEMFIT_FAMILY({"qwen3_5_text"}, "Qwen3_5", build_text, "Qwen3_5TextModel");

// The vision + language composite (model_type qwen3_5): Qwen3_5Model / Qwen3_5ForConditionalGeneration.
Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"Qwen3_5DecoderLayer", "Qwen3_5VisionBlock"};
  DecoderSpec s;
  auto text = text_model(c.sub("text_config"), &s);
  auto model = make("Qwen3_5Model");
  model->add("visual", qwen3_vl_vision(c.sub("vision_config"), "Qwen3_5", false));
  model->add("language_model", text);
  if (cls == "Qwen3_5Model") return {model, no_split};
  if (cls != "Qwen3_5ForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), {model, no_split}, s.hidden, s.vocab,
                                heads::ties_embeddings(c, false));
}

MEMFIT_FAMILY({"qwen3_5"}, "Qwen3_5", build);

}  // namespace
}  // namespace memfit
