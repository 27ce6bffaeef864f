// Pegasus: transformers' modeling_pegasus.py. Frozen sinusoidal position tables (nn.Embedding parameters),
// pre-norm layers with a final layer_norm per stack.
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  if (cls != "PegasusModel" && cls != "PegasusForConditionalGeneration" && cls != "PegasusForCausalLM")
    heads::unsupported(cls);
  seq2seq::Shape s = seq2seq::read(c, "Pegasus", 50265, 1024, 12, 4096, "gelu");
  s.positions = seq2seq::Positions::SinusoidalParam;
  s.pos_cls = "PegasusSinusoidalPositionalEmbedding";
  s.layernorm_embedding = false;
  s.final_layer_norm = true;
  return seq2seq::build(c, cls, s, {});
}

MEMFIT_FAMILY({"pegasus"}, "Pegasus", build);

}  // namespace
}  // namespace memfit
