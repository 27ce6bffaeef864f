// Muse Glimmer: transformers' modeling_muse_glimmer.py and modeling_muse_glimmer_assistant.py. MuseGlimmerModel
// (muse_glimmer): the vision tower (muse_glimmer_vision), the text model (muse_glimmer_text), a bias-free
// two-Linear vision adapter, vision_projection to the text width and a weight-less perception_emb_norm.
// MuseGlimmerAssistantModel (muse_glimmer_assistant), the DFlash drafter: Qwen3-style layers (q/k norms;
// post_attention before input_layernorm), norm, rotary_emb and a context encoder (fc over len(target_layer_ids)
// target hidden states + output_norm_enc), no token embedding.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr weightless_norm() { return make("MuseGlimmerRMSNorm"); }

Model glimmer(const Config& c, std::string_view cls) {
  SubConfig vc = sub_config(c, "vision_config", {{"model_type", "muse_glimmer_vision"}}, "muse_glimmer_vision");
  SubConfig tc = sub_config(c, "text_config", {{"model_type", "muse_glimmer_text"}}, "muse_glimmer_text");
  Model text = auto_model(tc.c);
  int64_t proj = media::dim(c, "projector_hidden_size", 4096), th = tc.c.i("hidden_size");
  auto adapter = make("MuseGlimmerVisionAdapter");
  adapter->add("fc1", linear(media::dim(c, "out_hidden_size", 6144), proj, false));
  adapter->add("act", leaf(act_class(c.s("projector_hidden_act", "gelu"))));
  adapter->add("fc2", linear(proj, proj, false));
  auto m = make("MuseGlimmerModel");
  m->add("vision_tower", auto_model(vc.c).root);
  m->add("language_model", text.root);
  m->add("vision_adapter", adapter);
  m->add("vision_projection", linear(proj, th, false));
  m->add("perception_emb_norm", weightless_norm());
  Model base{m, text.no_split};
  if (cls == "MuseGlimmerModel") return base;
  if (cls != "MuseGlimmerForConditionalGeneration") heads::unsupported(cls);
  return conditional_generation(std::string(cls), base, th, tc.c.i("vocab_size"), c.b("tie_word_embeddings", false));
}

Model assistant(const Config& c, std::string_view cls) {
  if (cls != "MuseGlimmerAssistantModel") heads::unsupported(cls);
  Json j = c.raw();
  j["vocab_size"] = 1;  // the drafter has no token embedding (it reads the target model's)
  DecoderSpec s = read_decoder(Config(j, c.model_type()), "MuseGlimmerAssistant");
  s.head_dim = c.i("head_dim", s.hidden / s.heads);
  s.qk_norm = true;
  s.layer_norms = {"post_attention_layernorm", "input_layernorm"};
  int64_t targets = c.has("target_layer_ids") ? static_cast<int64_t>(c.ints("target_layer_ids").size()) : 5;
  media::require(c, targets * s.hidden <= media::kMaxDim * 64, "target_layer_ids too long");
  auto enc = make("MuseGlimmerAssistantContextProjection");
  enc->add("fc", linear(targets * s.hidden, s.hidden, false));
  enc->add("output_norm_enc", decoder_norm(s, s.hidden));
  auto m = make("MuseGlimmerAssistantModel");
  m->add("layers", repeat(decoder_layer(s), checked_count(s.layers, "num_hidden_layers")));
  m->add("norm", decoder_norm(s, s.hidden));
  m->add("rotary_emb", rotary("MuseGlimmerAssistantRotaryEmbedding", s.head_dim));
  m->add("encoder", enc);
  return {m, {"MuseGlimmerAssistantDecoderLayer"}};
}

MEMFIT_FAMILY({"muse_glimmer"}, "MuseGlimmer", glimmer);
MEMFIT_FAMILY({"muse_glimmer_assistant"}, "MuseGlimmerAssistant", assistant);

}  // namespace
}  // namespace memfit
