// FSMT (modeling_fsmt.py, fairseq's WMT19 translation models): FSMTModel holds an encoder (embed_tokens of
// src_vocab_size, a SinusoidalPositionalEmbedding -- an nn.Embedding, so its table [max_positions + pad + 1, d] is a
// parameter --, layers) and a decoder (embed_tokens of tgt_vocab_size, embed_positions, layers, a bias-free
// output_projection). Attention: k/v/q/out_proj with biases. With tie_word_embeddings the encoder table and
// output_projection share the decoder's embed_tokens. No _no_split_modules; FSMTForConditionalGeneration is the
// model under `model`.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

ModulePtr attention(int64_t d) {
  auto a = make("Attention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) a->add(n, linear(d, d));
  return a;
}

ModulePtr table(int64_t rows, int64_t d, const std::string& cls, bool tied, const std::string& to) {
  if (!tied) return embedding(rows, d, cls);
  auto m = make(cls);
  m->tie("weight", {rows, d}, to);
  return m;
}

ModulePtr fsmt_model(const Config& c, const std::string& prefix) {
  const int64_t d = c.i("d_model", 1024), pad = c.i("pad_token_id", 1);
  const int64_t pos_rows = c.i("max_position_embeddings", 1024) + pad + 1;
  const int64_t src = c.i("src_vocab_size", 42024), tgt = c.i("tgt_vocab_size", 42024);
  const bool tied = heads::ties_embeddings(c, false);
  const std::string shared = prefix + "encoder.embed_tokens.weight";  // the first of the tied names
  for (const char* k : {"encoder_attention_heads", "decoder_attention_heads"})
    if (c.i(k, 16) <= 0) throw ConfigError(fmt::format("{} must be positive (model_type `fsmt`)", k));
  auto el = make("EncoderLayer");
  el->add("self_attn", attention(d));
  el->add("self_attn_layer_norm", layer_norm(d));
  el->add("activation_fn", leaf(act_class(c.s("activation_function", "relu"))));
  el->add("fc1", linear(d, c.i("encoder_ffn_dim", 4096)));
  el->add("fc2", linear(c.i("encoder_ffn_dim", 4096), d));
  el->add("final_layer_norm", layer_norm(d));
  auto enc = make("FSMTEncoder");
  enc->add("embed_tokens", embedding(src, d));
  enc->add("embed_positions", embedding(pos_rows, d, "SinusoidalPositionalEmbedding"));
  enc->add("layers", repeat(el, c.i("encoder_layers", 12)));

  auto dl = make("DecoderLayer");
  dl->add("self_attn", attention(d));
  dl->add("activation_fn", leaf(act_class(c.s("activation_function", "relu"))));
  dl->add("self_attn_layer_norm", layer_norm(d));
  dl->add("encoder_attn", attention(d));
  dl->add("encoder_attn_layer_norm", layer_norm(d));
  dl->add("fc1", linear(d, c.i("decoder_ffn_dim", 4096)));
  dl->add("fc2", linear(c.i("decoder_ffn_dim", 4096), d));
  dl->add("final_layer_norm", layer_norm(d));
  auto dec = make("FSMTDecoder");
  dec->add("embed_tokens", table(tgt, d, "Embedding", tied && src == tgt, shared));
  dec->add("embed_positions", embedding(pos_rows, d, "SinusoidalPositionalEmbedding"));
  dec->add("layers", repeat(dl, c.i("decoder_layers", 12)));
  if (tied && src == tgt) {
    auto out = make("Linear");
    out->tie("weight", {tgt, d}, shared);
    dec->add("output_projection", out);
  } else {
    dec->add("output_projection", linear(d, tgt, false));
  }
  auto m = make("FSMTModel");
  m->add("encoder", enc);
  m->add("decoder", dec);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "FSMTModel") return {fsmt_model(c, ""), {}};
  if (cls != "FSMTForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", fsmt_model(c, "model."));
  return {root, {}};
}

MEMFIT_FAMILY({"fsmt"}, "FSMT", build, "", "FSMTForConditionalGeneration");

}  // namespace
