// XGLM: transformers' modeling_xglm.py. A decoder-only stack of BART decoder layers (self_attn + optional
// cross-attention, fc1/fc2, pre-LayerNorms) over a scaled token embedding and a non-persistent float32 sinusoid
// table `weights` [max_position_embeddings + 2, d_model]; a final layer_norm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"
#include "arch/registry.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr xglm_model(const Config& c, int64_t d, int64_t vocab) {
  int64_t ffn = c.i("ffn_dim", 4096), positions = c.i("max_position_embeddings", 2048);
  auto layer = make("XGLMDecoderLayer");
  layer->add("self_attn", seq2seq::attention("XGLMAttention", d));
  layer->add("activation_fn", leaf(act_class(c.s("activation_function", "gelu"))));
  if (c.b("add_cross_attention", false)) {
    layer->add("encoder_attn", seq2seq::attention("XGLMAttention", d));
    layer->add("encoder_attn_layer_norm", layer_norm(d));
  }
  layer->add("self_attn_layer_norm", layer_norm(d));
  layer->add("fc1", linear(d, ffn));
  layer->add("fc2", linear(ffn, d));
  layer->add("final_layer_norm", layer_norm(d));

  auto m = make("XGLMModel");
  m->add("embed_tokens", embedding(vocab, d, "XGLMScaledWordEmbedding"));
  auto pos = make("XGLMSinusoidalPositionalEmbedding");
  pos->buffer("weights", {positions + 2, d}, DType::F32, false);
  m->add("embed_positions", pos);
  m->add("layers", repeat(layer, seq2seq::count(c, "num_layers", 24)));
  m->add("layer_norm", layer_norm(d));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t d = c.i_any({"d_model", "hidden_size"}), vocab = c.i("vocab_size", 256008);
  return heads::base_or_lm(cls, "XGLMModel", "XGLMForCausalLM", xglm_model(c, d, vocab), "model", d, vocab,
                           heads::ties_embeddings(c), "model.embed_tokens.weight", {"XGLMDecoderLayer"});
}

MEMFIT_FAMILY({"xglm"}, "XGLM", build);

}  // namespace
}  // namespace memfit
