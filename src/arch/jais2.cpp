// Jais 2: transformers' modeling_jais2.py. Llama's layout with LayerNorms (weight and bias) for every norm, q/k/v/o
// biases (attention_bias), and an ungated MLP: up_proj -> act (ReLU^2) -> down_proj, biased by mlp_bias.
#include "arch/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

MEMFIT_FAMILY({"jais2"}, "Jais2", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Jais2");
  s.act = c.s("hidden_act", "relu2");
  s.qkv_bias = s.o_bias = c.b("attention_bias", true);
  s.mlp_bias = c.b("mlp_bias", true);
  s.norm = [](int64_t d) { return layer_norm(d); };
  s.mlp = [s] {
    auto m = make("Jais2MLP");
    m->add("up_proj", linear(s.hidden, s.inter, s.mlp_bias));
    m->add("down_proj", linear(s.inter, s.hidden, s.mlp_bias));
    m->add("act_fn", leaf(act_class(s.act)));
    return m;
  };
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
