// M2M100: transformers' modeling_m2m_100.py. Scaled token embeddings, sinusoidal positions held in a
// non-persistent buffer (offset 2), pre-norm layers with a final layer_norm per stack, no final_logits_bias.
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  if (cls != "M2M100Model" && cls != "M2M100ForConditionalGeneration")
    heads::unsupported(cls);
  seq2seq::Shape s = seq2seq::read(c, "M2M100", 128112, 1024, 12, 4096, "relu");
  s.tok_cls = "M2M100ScaledWordEmbedding";
  s.positions = seq2seq::Positions::SinusoidalBuffer;
  s.pos_cls = "M2M100SinusoidalPositionalEmbedding";
  s.layernorm_embedding = false;
  s.final_layer_norm = true;
  return seq2seq::build(c, cls, s, {"M2M100EncoderLayer", "M2M100DecoderLayer"}, "model", nullptr, false);
}

MEMFIT_FAMILY({"m2m_100"}, "M2M100", build);

}  // namespace
}  // namespace memfit
