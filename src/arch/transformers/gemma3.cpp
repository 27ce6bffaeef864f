// Gemma3 (text-only gemma3_text and the multimodal gemma3 with a SigLIP tower): transformers' modeling_gemma3.py.
#include "arch/blocks.h"
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Gemma3TextConfig's defaults (gemma-3-2b shape).
const Json kTextDefaults{{"vocab_size", 262208},       {"hidden_size", 2304}, {"intermediate_size", 9216},
                         {"num_hidden_layers", 26},    {"num_attention_heads", 8}, {"num_key_value_heads", 4},
                         {"head_dim", 256}};

// The distinct layer_types (default: every 6th layer full attention, the rest sliding).
std::vector<std::string> layer_types(const Config& c, int64_t layers) {
  std::vector<std::string> out;
  auto given = c.strings("layer_types");
  if (given.empty())
    for (int64_t i = 0; i < layers && out.size() < 2; ++i) {
      std::string t = (i + 1) % 6 ? "sliding_attention" : "full_attention";
      if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    }
  for (const auto& t : given)
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
  return out;
}

// Gemma3TextModel: scaled embed_tokens (with an embed_scale buffer), layers of attention with q/k norms and four
// norms, final norm, and one rotary inv_freq pair per layer type.
Model gemma3_text_model(const Config& c) {
  DecoderSpec s = read_decoder(c, "Gemma3");
  if (s.layers < 0 || s.layers > 100000 || s.head_dim <= 0) c.missing("num_hidden_layers");
  s.act = c.s("hidden_activation", "gelu_pytorch_tanh");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.qk_norm = true;
  auto layer = make("Gemma3DecoderLayer");
  layer->add("self_attn", decoder_attention(s));
  layer->add("mlp", decoder_mlp(s));
  for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                        "post_feedforward_layernorm"})
    layer->add(n, rms_norm("Gemma3RMSNorm", s.hidden));

  auto m = make("Gemma3TextModel");
  auto emb = embedding(s.vocab, s.hidden, "Gemma3TextScaledWordEmbedding");
  emb->buffer("embed_scale", {}, DType::F32, false);
  m->add("embed_tokens", emb);
  m->add("layers", repeat(layer, s.layers));
  m->add("norm", rms_norm("Gemma3RMSNorm", s.hidden));
  auto rope = make("Gemma3RotaryEmbedding");
  for (const auto& t : layer_types(c, s.layers)) {
    rope->buffer(t + "_inv_freq", {s.head_dim / 2}, DType::F32, false);
    rope->buffer(t + "_original_inv_freq", {s.head_dim / 2}, DType::F32, false);
  }
  m->add("rotary_emb", rope);
  return {m, {"Gemma3DecoderLayer"}};
}

Model gemma3_text(const Config& c, std::string_view cls) {
  SubConfig tc = make_config(kTextDefaults, c.raw(), c.model_type());
  Model base = gemma3_text_model(tc.c);
  if (cls == "Gemma3TextModel") return base;
  if (cls != "Gemma3ForCausalLM") heads::unsupported(cls);
  auto root = make("Gemma3ForCausalLM");
  root->add("model", base.root);
  root->add("lm_head", heads::lm_head(tc.c.i("hidden_size"), tc.c.i("vocab_size"), heads::ties_embeddings(c, true),
                                      "model.embed_tokens.weight"));
  base.root = root;
  return base;
}

Model gemma3(const Config& c, std::string_view cls) {
  SubConfig tc = sub_config(c, "text_config", kTextDefaults, "gemma3_text");
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "siglip_vision_model"}}, "siglip_vision_model");
  Model vision = vision_tower_for(vc.c);
  Model text = gemma3_text_model(tc.c);
  int64_t vh = vc.c.i("hidden_size", 768), th = tc.c.i("hidden_size");

  auto proj = make("Gemma3MultiModalProjector");
  proj->param("mm_input_projection_weight", {vh, th});
  proj->add("mm_soft_emb_norm", rms_norm("Gemma3RMSNorm", vh));
  proj->add("avg_pool", leaf("AvgPool2d"));
  auto m = make("Gemma3Model");
  m->add("vision_tower", vision.root);
  m->add("multi_modal_projector", proj);
  m->add("language_model", text.root);
  Model base{m, {"Gemma3DecoderLayer"}};
  merge_no_split(base.no_split, vision.no_split);
  if (cls == "Gemma3Model") return base;
  if (cls != "Gemma3ForConditionalGeneration") heads::unsupported(cls);
  Model out = conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", true));
  out.to_checkpoint = llava_checkpoint_names({"vision_tower", "multi_modal_projector"});
  return out;
}

MEMFIT_FAMILY({"gemma3_text"}, "Gemma3Text", gemma3_text, "Gemma3TextModel");
MEMFIT_FAMILY({"gemma3"}, "Gemma3", gemma3);

}  // namespace
}  // namespace memfit
