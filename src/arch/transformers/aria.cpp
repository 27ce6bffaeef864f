// Aria: transformers' modeling_aria.py. AriaModel is the Idefics3 vision transformer (AutoModel of vision_config,
// whose model_type AriaConfig forces to idefics3_vision), the AriaProjector (a learned query table of
// max(projector_patch_to_query_dict) rows, cross-attention of bias-free q/k/v, an nn.MultiheadAttention, a Linear and
// two LayerNorms, a LayerNorm, and a bias-free linear_in / linear_out MLP into the text width) and the AriaTextModel
// MoE decoder (aria_text.cpp).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

#include <algorithm>

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// max(projector_patch_to_query_dict.values()) ({1225: 128, 4900: 256} when absent).
int64_t max_queries(const Config& c) {
  const Json& raw = c.raw();
  auto it = raw.find("projector_patch_to_query_dict");
  if (it == raw.end() || !it->is_object() || it->empty()) return 256;
  int64_t best = 0;
  for (const auto& [k, v] : it->items()) {
    media::require(c, v.is_number_integer(), "projector_patch_to_query_dict values must be integers");
    best = std::max(best, v.get<int64_t>());
  }
  media::require(c, best >= 1 && best <= media::kMaxDim, "projector_patch_to_query_dict value out of range");
  return best;
}

// nn.MultiheadAttention(h, heads): packed in_proj weight and bias, out_proj.
ModulePtr multihead_attention(int64_t h) {
  auto mha = make("MultiheadAttention");
  mha->param("in_proj_weight", {3 * h, h}).param("in_proj_bias", {3 * h});
  auto out = linear(h, h);
  out->cls = "NonDynamicallyQuantizableLinear";
  mha->add("out_proj", out);
  return mha;
}

ModulePtr projector(const Config& c, int64_t vh, int64_t th) {
  auto attn = make("AriaCrossAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) attn->add(n, linear(vh, vh, false));
  attn->add("multihead_attn", multihead_attention(vh));
  attn->add("linear", linear(vh, vh));
  attn->add("dropout", leaf("Dropout"));
  attn->add("layer_norm", layer_norm(vh));
  attn->add("layer_norm_kv", layer_norm(vh));
  auto ff = make("AriaProjectorMLP");
  ff->add("linear_in", linear(vh, th, false));
  ff->add("linear_out", linear(th, th, false));
  ff->add("act", leaf("NewGELUActivation"));
  auto p = make("AriaProjector");
  p->param("query", {max_queries(c), vh});
  p->add("cross_attn", attn);
  p->add("layer_norm", layer_norm(vh));
  p->add("feed_forward", ff);
  return p;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "idefics3_vision"}}, "idefics3_vision");
  (*vc.json)["model_type"] = "idefics3_vision";
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "aria_text"}}, "aria_text");
  (*tc.json)["model_type"] = "aria_text";  // AriaTextConfig whatever the dict says (rhymes-ai/Aria: aria_moe_lm)
  Model vision = auto_model(vc.c);
  Model text = auto_model(tc.c);
  int64_t th = media::dim(tc.c, "hidden_size", 4096);
  Model base = vision_projector_text("AriaModel", vision, projector(c, media::dim(vc.c, "hidden_size", 1152), th),
                                     text, {"AriaDecoderLayer"});
  if (cls == "AriaModel") return base;
  if (cls != "AriaForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, media::dim(tc.c, "vocab_size", 32000),
                                c.b("tie_word_embeddings", false));
}

MEMFIT_FAMILY({"aria"}, "Aria", build);

}  // namespace
}  // namespace memfit
