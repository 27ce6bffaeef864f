// BigBird-Pegasus (modeling_bigbird_pegasus.py): the BART-shaped encoder-decoder (seq2seq.h) with learned position
// tables of max_position_embeddings rows (no offset), layernorm_embedding after the layers, and biases per use_bias
// (False by default) on every attention projection; the encoder's self_attn is BigBirdPegasusEncoderAttention: self
// (BlockSparseAttention or, with attention_type "original_full", SelfAttention: query/key/value) and output.
// _no_split_modules: the encoder and decoder layers.
#include "arch/blocks.h"
#include "arch/transformers/seq2seq.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

// Drops the `bias` of every Linear under `m` (the decoder attentions, built biased by seq2seq.h).
void drop_biases(Module& m) {
  for (auto& [name, child] : m.children) {
    auto& ps = child->params;
    std::erase_if(ps, [](const auto& p) { return p.first == "bias"; });
  }
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "BigBirdPegasusModel" && cls != "BigBirdPegasusForConditionalGeneration") heads::unsupported(cls);
  const std::string p = "BigBirdPegasus";
  seq2seq::Shape s = seq2seq::read(c, p, 96103, 1024, 16, 4096, "gelu_new");
  s.positions = seq2seq::Positions::Learned;
  s.pos_offset = 0;
  s.tok_cls = p + "ScaledWordEmbedding";
  s.pos_cls = p + "LearnedPositionalEmbedding";
  const bool bias = c.b("use_bias", false);
  const std::string type = c.s("attention_type", "block_sparse");
  if (type != "block_sparse" && type != "original_full")
    throw ConfigError("attention_type can either be original_full or block_sparse (model_type `bigbird_pegasus`)");
  auto self = make(p + (type == "block_sparse" ? "BlockSparseAttention" : "SelfAttention"));
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(s.d_model, s.d_model, bias));
  auto attn = make(p + "EncoderAttention");
  attn->add("self", self);
  attn->add("output", linear(s.d_model, s.d_model, bias));
  Model m = seq2seq::build(c, cls, s, {p + "EncoderLayer", p + "DecoderLayer"}, "model",
                           seq2seq::encoder_layer(s, attn));
  if (!bias) {
    auto root = m.root->child("decoder") ? m.root : m.root->child("model");
    for (auto& [i, layer] : root->child("decoder")->child("layers")->children) {
      drop_biases(*layer->child("self_attn"));
      drop_biases(*layer->child("encoder_attn"));
    }
  }
  return m;
}

MEMFIT_FAMILY({"bigbird_pegasus"}, "BigBirdPegasus", build);

}  // namespace
