// LED (Longformer-Encoder-Decoder): transformers' modeling_led.py. A BART encoder-decoder whose encoder layers use
// Longformer's sliding-window attention (extra global q/k/v projections), with separate position-table sizes.
#include "arch/blocks.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// LEDEncoderAttention: longformer_self_attn (query/key/value and their *_global twins), output.
ModulePtr encoder_attention(int64_t d) {
  auto self = make("LEDEncoderSelfAttention");
  for (const char* n : {"query", "key", "value", "query_global", "key_global", "value_global"})
    self->add(n, linear(d, d));
  auto a = make("LEDEncoderAttention");
  a->add("longformer_self_attn", self);
  a->add("output", linear(d, d));
  return a;
}

Model build(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "LED", 50265, 1024, 12, 4096, "gelu");
  s.enc_pos = c.i("max_encoder_position_embeddings", 16384);
  s.dec_pos = c.i("max_decoder_position_embeddings", 1024);
  s.pos_offset = 0;
  s.pos_cls = "LEDLearnedPositionalEmbedding";
  auto layer = seq2seq::encoder_layer(s, encoder_attention(s.d_model));
  if (cls != "LEDModel" && cls != "LEDForConditionalGeneration" && cls != "LEDForQuestionAnswering")
    heads::unsupported(cls);
  return seq2seq::build(c, cls, s, {}, "led", layer);
}

MEMFIT_FAMILY({"led"}, "LED", build);

}  // namespace
}  // namespace memfit
