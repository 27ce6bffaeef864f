// Marian: transformers' modeling_marian.py. Frozen sinusoidal position tables (nn.Embedding parameters, left out
// of checkpoints), no embedding norms, and an optional separate decoder vocabulary.
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {

Model build(const Config& c, std::string_view cls) {
  seq2seq::Shape s = seq2seq::read(c, "Marian", 58101, 1024, 12, 4096, "gelu");
  if (c.has("decoder_vocab_size")) s.dec_vocab = c.i("decoder_vocab_size");
  s.positions = seq2seq::Positions::SinusoidalParam;
  s.pos_cls = "MarianSinusoidalPositionalEmbedding";
  s.layernorm_embedding = false;
  s.shared = c.b("share_encoder_decoder_embeddings", true);
  if (cls != "MarianModel" && cls != "MarianMTModel" && cls != "MarianForCausalLM") heads::unsupported(cls);
  Model m = seq2seq::build(c, cls, s, {});
  // MarianMTModel._keys_to_ignore_on_save: the sinusoidal tables are not written.
  if (cls == "MarianMTModel")
    m.to_checkpoint = [](const std::string& name, const Tensor& t) -> std::vector<CheckpointTensor> {
      if (name.ends_with("embed_positions.weight")) return {};
      return {{name, t.shape, t.dtype}};
    };
  return m;
}

MEMFIT_FAMILY({"marian"}, "Marian", build);

}  // namespace
}  // namespace memfit
