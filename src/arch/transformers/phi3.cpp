// Phi-3 (and Phi-3.5 mini): transformers' modeling_phi3.py. Llama-shaped with a fused qkv_proj (o_proj registered
// first), a fused gate_up_proj MLP and partial rotary embeddings (partial_rotary_factor, default 1.0).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"phi3"}, "Phi3", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Phi3");
  s.attention = [s] {
    auto a = make("Phi3Attention");
    a->add("o_proj", linear(s.heads * s.head_dim, s.hidden, false));
    a->add("qkv_proj", linear(s.hidden, (s.heads + 2 * s.kv_heads) * s.head_dim, false));
    return a;
  };
  s.mlp = [s] { return gate_up_mlp("Phi3MLP", s.hidden, s.inter, act_class(s.act)); };
  s.rotary_dim = rope_dim(s.head_dim, rope_fraction(c, 1.0));
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
