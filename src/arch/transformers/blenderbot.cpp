// Blenderbot and Blenderbot-small: transformers' modeling_blenderbot.py / modeling_blenderbot_small.py. BART's
// encoder-decoder with learned positions without offset. Blenderbot: pre-norm layers, scaled token embeddings and a
// final layer_norm per stack; Blenderbot-small: post-norm layers with layernorm_embedding.
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {

Model blenderbot(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "Blenderbot", 8008, 2560, 2, 10240, "gelu");
  s.tok_cls = "BlenderbotScaledWordEmbedding";
  s.pos_cls = "BlenderbotLearnedPositionalEmbedding";
  s.pos_offset = 0;
  s.layernorm_embedding = false;
  s.final_layer_norm = true;
  return seq2seq::build(c, cls, s, {});
}

Model blenderbot_small(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "BlenderbotSmall", 50265, 512, 8, 2048, "gelu");
  s.pos_cls = "BlenderbotSmallLearnedPositionalEmbedding";
  s.pos_offset = 0;
  return seq2seq::build(c, cls, s, {});
}

MEMFIT_FAMILY({"blenderbot"}, "Blenderbot", blenderbot);
MEMFIT_FAMILY({"blenderbot-small"}, "BlenderbotSmall", blenderbot_small);

}  // namespace
}  // namespace memfit
