// PLBart: transformers' modeling_plbart.py. BART's tree with scaled token embeddings: learned positions (offset 2),
// post-norm layers, layernorm_embedding in each stack.
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "PLBart", 50005, 768, 6, 3072, "gelu");
  s.tok_cls = "PLBartScaledWordEmbedding";
  s.pos_cls = "PLBartLearnedPositionalEmbedding";
  return seq2seq::build(c, cls, s, {"PLBartDecoderLayer", "PLBartEncoderLayer"});
}

MEMFIT_FAMILY({"plbart"}, "PLBart", build);

}  // namespace
}  // namespace memfit
