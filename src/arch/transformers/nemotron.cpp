// Nemotron (Minitron): transformers' modeling_nemotron.py. Llama-shaped with an up_proj/down_proj MLP (relu2),
// NemotronLayerNorm1P (weight and bias) norms and partial rotary embeddings (default factor 0.5).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"nemotron"}, "Nemotron", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Nemotron");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  s.act = c.s("hidden_act", "relu2");
  s.mlp = [s] {
    auto m = make("NemotronMLP");
    m->add("up_proj", linear(s.hidden, s.inter, s.mlp_bias));
    m->add("down_proj", linear(s.inter, s.hidden, s.mlp_bias));
    m->add("act_fn", leaf(act_class(s.act)));
    return m;
  };
  s.norm = [](int64_t dim) { return layer_norm(dim, true, "NemotronLayerNorm1P"); };
  s.rotary_dim = rope_dim(s.head_dim, rope_fraction(c, 0.5));
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
