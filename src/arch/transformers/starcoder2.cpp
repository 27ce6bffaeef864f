// StarCoder2: transformers' modeling_starcoder2.py. Llama-shaped with biased projections (use_bias), a c_fc/c_proj
// MLP and nn.LayerNorm (weight and bias) norms.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"starcoder2"}, "Starcoder2", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Starcoder2", /*tie_default=*/true);
  s.kv_heads = c.i("num_key_value_heads", 2);
  bool bias = c.b("use_bias", true);
  s.qkv_bias = s.o_bias = bias;
  s.act = c.s("hidden_act", "gelu_pytorch_tanh");
  s.mlp = [s, bias] {
    auto m = make("Starcoder2MLP");
    m->add("c_fc", linear(s.hidden, s.inter, bias));
    m->add("c_proj", linear(s.inter, s.hidden, bias));
    m->add("act", leaf(act_class(s.act)));
    return m;
  };
  s.norm = [](int64_t dim) { return layer_norm(dim); };
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
