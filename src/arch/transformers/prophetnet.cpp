// ProphetNet: transformers' modeling_prophetnet.py. An encoder-decoder with learned positions, post-attention
// LayerNorms, FFNs of `intermediate` / `output`, and an n-gram self-attention in the decoder (key/value/query/out
// projections plus relative_pos_embeddings: hidden -> num_buckets * heads) with ngram_embeddings; both stacks'
// word_embeddings tie to the model's.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/seq2seq.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(const std::string& cls, int64_t h) {
  auto a = make(cls);
  for (const char* n : {"key_proj", "value_proj", "query_proj", "out_proj"}) a->add(n, linear(h, h));
  return a;
}

ModulePtr feed_forward(int64_t h, int64_t ffn, const std::string& act) {
  auto f = make("ProphetNetFeedForward");
  f->add("activation_fn", leaf(act));
  f->add("intermediate", linear(h, ffn));
  f->add("output", linear(ffn, h));
  return f;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "ProphetNetModel") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 1024), vocab = c.i("vocab_size", 30522);
  const int64_t max_pos = checked_count(c.i("max_position_embeddings", 512), "max_position_embeddings");
  const int64_t dec_heads = c.i("num_decoder_attention_heads", 16);
  const std::string act = act_class(c.s("activation_function", "gelu"));
  auto tied_words = [&] {
    auto e = make("Embedding");
    e->tie("weight", {vocab, h}, "word_embeddings.weight");
    return e;
  };
  auto enc_layer = make("ProphetNetEncoderLayer");
  enc_layer->add("self_attn", attention("ProphetNetAttention", h));
  enc_layer->add("self_attn_layer_norm", layer_norm(h));
  enc_layer->add("feed_forward", feed_forward(h, c.i("encoder_ffn_dim", 4096), act));
  enc_layer->add("feed_forward_layer_norm", layer_norm(h));
  auto enc = make("ProphetNetEncoder");
  enc->add("word_embeddings", tied_words());
  enc->add("position_embeddings", embedding(max_pos, h, "ProphetNetPositionalEmbeddings"));
  enc->add("embeddings_layer_norm", layer_norm(h));
  enc->add("layers", repeat(enc_layer, seq2seq::count(c, "num_encoder_layers", 12)));

  auto ngram = attention("ProphetNetNgramSelfAttention", h);
  ngram->add("relative_pos_embeddings", linear(h, c.i("num_buckets", 32) * dec_heads));
  auto dec_layer = make("ProphetNetDecoderLayer");
  dec_layer->add("self_attn", ngram);
  dec_layer->add("self_attn_layer_norm", layer_norm(h));
  if (c.b("add_cross_attention", true)) {
    dec_layer->add("cross_attn", attention("ProphetNetAttention", h));
    dec_layer->add("cross_attn_layer_norm", layer_norm(h));
  }
  dec_layer->add("feed_forward", feed_forward(h, c.i("decoder_ffn_dim", 4096), act));
  dec_layer->add("feed_forward_layer_norm", layer_norm(h));
  auto dec = make("ProphetNetDecoder");
  dec->add("word_embeddings", tied_words());
  dec->add("position_embeddings", embedding(max_pos, h, "ProphetNetPositionalEmbeddings"));
  dec->add("ngram_embeddings", embedding(c.i("ngram", 2), h));
  dec->add("layers", repeat(dec_layer, seq2seq::count(c, "num_decoder_layers", 12)));
  dec->add("embeddings_layer_norm", layer_norm(h));

  auto m = make("ProphetNetModel");
  m->add("word_embeddings", embedding(vocab, h));
  m->add("encoder", enc);
  m->add("decoder", dec);
  return {m, {}};
}

MEMFIT_FAMILY({"prophetnet"}, "ProphetNet", build);

}  // namespace
}  // namespace memfit
