// PEGASUS-X: transformers' modeling_pegasus_x.py. A Pegasus-shaped encoder-decoder with bias-free attention
// projections, sinusoidal positions computed on the fly (no tensors), an encoder with global tokens (embed_global)
// and a global_self_attn_layer_norm per layer, and final layer_norms; encoder and decoder embed_tokens tie to `shared`.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/seq2seq.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(int64_t d) {
  auto a = make("PegasusXAttention");
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) a->add(n, linear(d, d, false));
  return a;
}

Model build(const Config& c, std::string_view cls) {
  const int64_t d = c.i("d_model", 1024), vocab = c.i("vocab_size", 96103);
  const int64_t enc_ffn = c.i("encoder_ffn_dim", 4096), dec_ffn = c.i("decoder_ffn_dim", 4096);
  const std::string act = act_class(c.s("activation_function", "gelu"));
  const std::string base = cls == "PegasusXModel" ? "" : "model.";
  auto tok = [&] {
    auto e = make("PegasusXScaledWordEmbedding");
    e->tie("weight", {vocab, d}, base + "shared.weight");
    return e;
  };
  auto enc_layer = make("PegasusXEncoderLayer");
  auto ga = attention(d);
  ga->cls = "PegasusXGlobalLocalAttention";
  enc_layer->add("self_attn", ga);
  enc_layer->add("self_attn_layer_norm", layer_norm(d));
  enc_layer->add("global_self_attn_layer_norm", layer_norm(d));
  enc_layer->add("activation_fn", leaf(act));
  enc_layer->add("fc1", linear(d, enc_ffn));
  enc_layer->add("fc2", linear(enc_ffn, d));
  enc_layer->add("final_layer_norm", layer_norm(d));
  auto enc = make("PegasusXEncoder");
  enc->add("embed_tokens", tok());
  enc->add("embed_global", embedding(c.i("num_global_tokens", 32), d));
  enc->add("embed_positions", leaf("PegasusXSinusoidalPositionalEmbedding"));
  enc->add("layers", repeat(enc_layer, seq2seq::count(c, "encoder_layers", 16)));
  enc->add("layer_norm", layer_norm(d));

  auto dec_layer = make("PegasusXDecoderLayer");
  dec_layer->add("self_attn", attention(d));
  dec_layer->add("activation_fn", leaf(act));
  dec_layer->add("self_attn_layer_norm", layer_norm(d));
  dec_layer->add("encoder_attn", attention(d));
  dec_layer->add("encoder_attn_layer_norm", layer_norm(d));
  dec_layer->add("fc1", linear(d, dec_ffn));
  dec_layer->add("fc2", linear(dec_ffn, d));
  dec_layer->add("final_layer_norm", layer_norm(d));
  auto dec = make("PegasusXDecoder");
  dec->add("embed_tokens", tok());
  dec->add("embed_positions", leaf("PegasusXSinusoidalPositionalEmbedding"));
  dec->add("layers", repeat(dec_layer, seq2seq::count(c, "decoder_layers", 16)));
  dec->add("layer_norm", layer_norm(d));

  auto m = make("PegasusXModel");
  m->add("shared", embedding(vocab, d, "PegasusXScaledWordEmbedding"));
  m->add("encoder", enc);
  m->add("decoder", dec);
  const std::vector<std::string> no_split{"PegasusXEncoderLayer", "PegasusXDecoderLayer"};
  if (cls == "PegasusXModel") return {m, no_split};
  if (cls != "PegasusXForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", m);
  root->add("lm_head", heads::lm_head(d, vocab, heads::ties_embeddings(c, true), "model.shared.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"pegasus_x"}, "PegasusX", build);

}  // namespace
}  // namespace memfit
