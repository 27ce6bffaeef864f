// Muse Glimmer's text model (transformers' modeling_muse_glimmer.py, model_type muse_glimmer_text):
// MuseGlimmerTextModel. embed_tokens is an nn.Embedding subclass holding a weightless RMSNorm (embed_norm); each
// layer's attention adds a gate_proj (hidden -> heads x head_dim, no bias) and a weightless qk_norm to Llama's
// q/k/v/o, and four centred RMSNorms (weight [hidden]) sit around attention and MLP, Gemma-2 style; the final norm
// is a plain RMSNorm with a weight. RoPE covers the whole head_dim.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"muse_glimmer_text"}, "MuseGlimmerText", [](const Config& c, std::string_view cls) {
  if (cls != "MuseGlimmerTextModel") heads::unsupported(cls);
  DecoderSpec s = moe::read(c, "MuseGlimmerText");
  s.act = c.s("hidden_activation", "silu");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.norm = [](int64_t d) { return rms_norm("MuseGlimmerTextCenteredRMSNorm", d); };
  s.layer_norms = {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                   "post_feedforward_layernorm"};
  s.attention = [s] {
    auto a = decoder_attention(s);
    a->add("gate_proj", linear(s.hidden, s.heads * s.head_dim, false));
    a->add("qk_norm", leaf("MuseGlimmerRMSNorm"));
    return a;
  };
  auto m = decoder_model(s);
  auto emb = make("MuseGlimmerTextNormedEmbedding");
  emb->param("weight", {s.vocab, s.hidden});
  emb->add("embed_norm", leaf("MuseGlimmerRMSNorm"));
  for (auto& [name, child] : m->children) {
    if (name == "embed_tokens") child = emb;
    if (name == "norm") child = rms_norm("MuseGlimmerRMSNorm", s.hidden);
  }
  return Model{m, {"MuseGlimmerTextDecoderLayer", "MuseGlimmerVisionEncoderLayer"}};
});

}  // namespace
}  // namespace memfit
