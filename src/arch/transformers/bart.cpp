// BART: transformers' modeling_bart.py. Learned positions (offset 2), layernorm_embedding, post-norm layers.
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace {

Model build(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "Bart", 50265, 1024, 12, 4096, "gelu");
  s.tok_cls = "BartScaledWordEmbedding";
  s.pos_cls = "BartLearnedPositionalEmbedding";
  return seq2seq::build(c, cls, s, {"BartEncoderLayer", "BartDecoderLayer"});
}

MEMFIT_FAMILY({"bart"}, "Bart", build);

}  // namespace
}  // namespace memfit
