// Qwen3.5 (dense): transformers' modeling_qwen3_5.py. The text model is Qwen3-Next's hybrid stack (gated DeltaNet
// with split projections, or gated full attention, per layer_types) with a dense gated MLP on every layer; the
// vision tower is Qwen3-VL's (qwen3_vl.cpp).
#include "arch/transformers/heads.h"
#include "arch/transformers/qwen3_next.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

const NextVariant kText{"Qwen3_5", 248320, 32, 0, true, false};

// The text model on its own (model_type qwen3_5_text): Qwen3_5TextModel / Qwen3_5ForCausalLM.
Model build_text(const Config& c, std::string_view cls) {
  DecoderSpec s;
  auto text = qwen3_next_text(c, kText, &s);
  text->cls = "Qwen3_5TextModel";
  text->child("rotary_emb")->cls = "Qwen3_5TextRotaryEmbedding";
  return heads::base_or_causal_lm(cls, "Qwen3_5TextModel", "Qwen3_5ForCausalLM", text, s.hidden, s.vocab,
                                  s.tie_embeddings, {"Qwen3_5DecoderLayer", "Qwen3_5VisionBlock"});
}

MEMFIT_FAMILY({"qwen3_5_text"}, "Qwen3_5", build_text, "Qwen3_5TextModel");

}  // namespace
}  // namespace memfit
