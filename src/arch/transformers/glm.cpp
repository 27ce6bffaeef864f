// GLM (GLM-4-9B, the first generation): transformers' modeling_glm.py. GLM-4's layer with the usual two RMSNorms:
// biased q/k/v (o_proj without bias), a fused gate_up_proj MLP, partial rotary embeddings (default factor 0.5).
#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"glm"}, "Glm", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Glm");
  s.head_dim = c.i("head_dim", 128);
  s.qkv_bias = c.b("attention_bias", true);
  s.mlp = [s] { return gate_up_mlp("GlmMLP", s.hidden, s.inter, act_class(s.act)); };
  s.rotary_dim = rope_dim(s.head_dim, rope_fraction(c, 0.5));
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
