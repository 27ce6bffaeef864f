// T5 and mT5: transformers' modeling_t5.py / modeling_mt5.py. One shared embedding, an encoder and a decoder
// T5Stack; only block 0 of each stack owns the relative attention bias. UMT5 (modeling_umt5.py): the same tree
// where every block's self-attention owns one. LongT5 (modeling_longt5.py): the encoder's self-attention is local
// (LocalSelfAttention) or transient-global (TransientGlobalSelfAttention, with global_input_layer_norm and, in block
// 0, global_relative_attention_bias).
#include "arch/transformers/t5.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace t5 {
using namespace blocks;

ModulePtr attention(const T5Shape& s, bool relative_bias) {
  int64_t inner = s.heads * s.d_kv;
  auto a = make(s.p + "Attention");
  a->add("q", linear(s.d_model, inner, false));
  a->add("k", linear(s.d_model, inner, false));
  a->add("v", linear(s.d_model, inner, false));
  a->add("o", linear(inner, s.d_model, false));
  if (relative_bias) a->add("relative_attention_bias", embedding(s.buckets, s.heads));
  return a;
}

ModulePtr block(const T5Shape& s, bool decoder, bool relative_bias) {
  ModulePtr self;
  if (decoder || s.encoder_attention.empty()) {
    self = make(s.p + "LayerSelfAttention");
    self->add("SelfAttention", attention(s, relative_bias));
  } else if (s.encoder_attention == "local") {
    self = make(s.p + "LayerLocalSelfAttention");
    self->add("LocalSelfAttention", attention(s, relative_bias));
  } else {
    self = make(s.p + "LayerTransientGlobalSelfAttention");
    auto a = attention(s, relative_bias);
    if (relative_bias) a->add("global_relative_attention_bias", embedding(s.buckets, s.heads));
    a->add("global_input_layer_norm", rms_norm(s.p + "LayerNorm", s.d_model));
    self->add("TransientGlobalSelfAttention", a);
  }
  self->add("layer_norm", rms_norm(s.p + "LayerNorm", s.d_model));
  self->add("dropout", leaf("Dropout"));
  std::vector<ModulePtr> layers{self};
  if (decoder) {
    auto cross = make(s.p + "LayerCrossAttention");
    cross->add("EncDecAttention", attention(s, false));
    cross->add("layer_norm", rms_norm(s.p + "LayerNorm", s.d_model));
    cross->add("dropout", leaf("Dropout"));
    layers.push_back(cross);
  }
  auto dense = make(s.p + (s.gated ? "DenseGatedActDense" : "DenseActDense"));
  if (s.gated) {
    dense->add("wi_0", linear(s.d_model, s.d_ff, false));
    dense->add("wi_1", linear(s.d_model, s.d_ff, false));
  } else {
    dense->add("wi", linear(s.d_model, s.d_ff, false));
  }
  dense->add("wo", linear(s.d_ff, s.d_model, false));
  dense->add("dropout", leaf("Dropout"));
  dense->add("act", leaf("Activation"));
  auto ff = make(s.p + "LayerFF");
  ff->add("DenseReluDense", dense);
  ff->add("layer_norm", rms_norm(s.p + "LayerNorm", s.d_model));
  ff->add("dropout", leaf("Dropout"));
  layers.push_back(ff);
  auto b = make(s.p + "Block");
  b->add("layer", module_list(layers));
  return b;
}

}  // namespace t5

namespace {
using namespace blocks;
using t5::T5Shape;
using t5::block;

ModulePtr stack(const T5Shape& s, bool decoder, int64_t n, const std::string& shared_name) {
  auto st = make(s.p + "Stack");
  auto emb = make("Embedding");
  emb->tie("weight", {s.vocab, s.d_model}, shared_name);
  st->add("embed_tokens", emb);
  std::vector<ModulePtr> blocks{block(s, decoder, true)};
  auto rest = s.bias_every_block ? blocks[0] : block(s, decoder, false);
  for (int64_t i = 1; i < checked_count(n); ++i) blocks.push_back(rest);
  st->add("block", module_list(blocks));
  st->add("final_layer_norm", rms_norm(s.p + "LayerNorm", s.d_model));
  st->add("dropout", leaf("Dropout"));
  return st;
}

Model build(const Config& c, std::string_view cls, std::string p) {
  std::string ff = c.s("feed_forward_proj", "relu");
  T5Shape s{p, c.i("vocab_size", 32128), c.i("d_model", 512), c.i("d_kv", 64), c.i("d_ff", 2048),
            c.i("num_heads", 8), c.i("relative_attention_num_buckets", 32), ff.starts_with("gated-"), p == "UMT5"};
  if (p == "LongT5") {
    s.encoder_attention = c.s("encoder_attention_type", "local");
    if (s.encoder_attention != "local" && s.encoder_attention != "transient-global")
      throw ConfigError("encoder_attention_type must be `local` or `transient-global`");
  }
  int64_t enc_layers = c.i("num_layers", 6), dec_layers = c.i("num_decoder_layers", enc_layers);
  std::vector<std::string> no_split{p + "Block"};
  auto root = make(std::string(cls));
  root->add("shared", embedding(s.vocab, s.d_model));
  root->add("encoder", stack(s, false, enc_layers, "shared.weight"));
  if (cls == p + "EncoderModel") return {root, no_split};
  root->add("decoder", stack(s, true, dec_layers, "shared.weight"));
  if (cls == p + "Model") return {root, no_split};
  if (cls == p + "ForConditionalGeneration") {
    // transformers 5 always ties T5's lm_head to `shared` (T5Config forces tie_word_embeddings=True).
    root->add("lm_head", heads::lm_head(s.d_model, s.vocab, true, "shared.weight"));
    return {root, no_split};
  }
  heads::unsupported(cls);
}

MEMFIT_FAMILY({"t5"}, "T5", [](const Config& c, std::string_view cls) { return build(c, cls, "T5"); });
MEMFIT_FAMILY({"mt5"}, "MT5", [](const Config& c, std::string_view cls) { return build(c, cls, "MT5"); });
MEMFIT_FAMILY({"longt5"}, "LongT5", [](const Config& c, std::string_view cls) { return build(c, cls, "LongT5"); });
MEMFIT_FAMILY({"umt5"}, "UMT5", [](const Config& c, std::string_view cls) { return build(c, cls, "UMT5"); });

}  // namespace
}  // namespace memfit
