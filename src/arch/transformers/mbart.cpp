// mBART: transformers' modeling_mbart.py. BART with pre-norm layers: scaled token embeddings, learned positions
// (offset 2), layernorm_embedding and a final layer_norm in each stack.
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "MBart", 50265, 1024, 12, 4096, "gelu");
  s.tok_cls = "MBartScaledWordEmbedding";
  s.pos_cls = "MBartLearnedPositionalEmbedding";
  s.final_layer_norm = true;
  return seq2seq::build(c, cls, s, {"MBartDecoderLayer", "MBartEncoderLayer", "MBartAttention"});
}

MEMFIT_FAMILY({"mbart"}, "MBart", build);

}  // namespace
}  // namespace memfit
