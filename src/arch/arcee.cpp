// Arcee (AFM): transformers' modeling_arcee.py. Llama with an ungated MLP: up_proj -> act (ReLU^2) -> down_proj.
#include "arch/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

MEMFIT_FAMILY({"arcee"}, "Arcee", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Arcee");
  s.act = c.s("hidden_act", "relu2");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  s.mlp = [s] {
    auto m = make("ArceeMLP");
    m->add("up_proj", linear(s.hidden, s.inter, s.mlp_bias));
    m->add("down_proj", linear(s.inter, s.hidden, s.mlp_bias));
    m->add("act_fn", leaf(act_class(s.act)));
    return m;
  };
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
