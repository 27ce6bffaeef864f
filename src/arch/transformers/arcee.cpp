// Llama with an ungated MLP (up_proj -> act -> down_proj, default ReLU^2): Arcee (AFM, modeling_arcee.py), and
// Jais 2 (modeling_jais2.py), which also uses LayerNorms (weight and bias) for every norm and biases by default.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// <prefix>MLP: up_proj, down_proj (biased by mlp_bias), act_fn.
void ungated_mlp(DecoderSpec& s) {
  s.mlp = [s] {
    auto m = make(s.prefix + "MLP");
    m->add("up_proj", linear(s.hidden, s.inter, s.mlp_bias));
    m->add("down_proj", linear(s.inter, s.hidden, s.mlp_bias));
    m->add("act_fn", leaf(act_class(s.act)));
    return m;
  };
}

MEMFIT_FAMILY({"arcee"}, "Arcee", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Arcee");
  s.act = c.s("hidden_act", "relu2");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  ungated_mlp(s);
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"jais2"}, "Jais2", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Jais2");
  s.act = c.s("hidden_act", "relu2");
  s.qkv_bias = s.o_bias = c.b("attention_bias", true);
  s.mlp_bias = c.b("mlp_bias", true);
  s.norm = [](int64_t d) { return layer_norm(d); };
  ungated_mlp(s);
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
