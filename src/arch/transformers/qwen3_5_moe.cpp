// Qwen3.5-MoE: transformers' modeling_qwen3_5_moe.py. Qwen3_5MoeModel = a Qwen3-VL-style vision tower (`visual`:
// Conv3d patch embed, learned pos_embed, blocks of qkv attention + MLP, patch merger) and the Qwen3-Next-style text
// model (`language_model`, every layer sparse, split DeltaNet projections).
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/transformers/qwen3_next.h"
#include "arch/transformers/qwen3_vl.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

const NextVariant kText{"Qwen3_5Moe", 248320, 40, 256, true, true};

ModulePtr text_model(const Config& t, DecoderSpec* s) {
  auto m = qwen3_next_text(t, kText, s);
  m->cls = "Qwen3_5MoeTextModel";
  m->child("rotary_emb")->cls = "Qwen3_5MoeTextRotaryEmbedding";
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"Qwen3_5MoeDecoderLayer", "Qwen3_5MoeVisionBlock"};
  Config t = c.sub("text_config");
  DecoderSpec s;
  auto model = make("Qwen3_5MoeModel");
  model->add("visual", qwen3_vl_vision(c.sub("vision_config"), "Qwen3_5Moe", false));
  model->add("language_model", text_model(t, &s));
  Model m;
  if (cls == "Qwen3_5MoeModel") {
    m = {model, no_split};
  } else if (cls == "Qwen3_5MoeForConditionalGeneration") {
    auto root = make(std::string(cls));
    root->add("model", model);
    bool tied = heads::ties_embeddings(c, false);
    root->add("lm_head", heads::lm_head(s.hidden, s.vocab, tied, "model.language_model.embed_tokens.weight"));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = moe::split_experts();
  return m;
}

// The text-only checkpoints (model_type qwen3_5_moe_text): Qwen3_5MoeTextModel / Qwen3_5MoeForCausalLM.
Model build_text(const Config& c, std::string_view cls) {
  DecoderSpec s;
  auto text = text_model(c, &s);
  Model m = heads::base_or_causal_lm(cls, "Qwen3_5MoeTextModel", "Qwen3_5MoeForCausalLM", text, s.hidden, s.vocab,
                                     s.tie_embeddings, {"Qwen3_5MoeDecoderLayer"});
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"qwen3_5_moe"}, "Qwen3_5Moe", build);
MEMFIT_FAMILY({"qwen3_5_moe_text"}, "Qwen3_5Moe", build_text, "Qwen3_5MoeTextModel");
// The vision tower on its own (model_type qwen3_5_moe_vision).
MEMFIT_FAMILY({"qwen3_5_moe_vision"}, "Qwen3_5Moe", [](const Config& c, std::string_view cls) {
  if (cls != "Qwen3_5MoeVisionModel") heads::unsupported(cls);
  return Model{qwen3_vl_vision(c, "Qwen3_5Moe", false), {"Qwen3_5MoeVisionBlock"}};
}, "Qwen3_5MoeVisionModel");
MEMFIT_FAMILY({"qwen3_5_vision"}, "Qwen3_5", [](const Config& c, std::string_view cls) {
  if (cls != "Qwen3_5VisionModel") heads::unsupported(cls);
  return Model{qwen3_vl_vision(c, "Qwen3_5", false), {"Qwen3_5VisionBlock"}};
}, "Qwen3_5VisionModel");

}  // namespace
}  // namespace memfit
