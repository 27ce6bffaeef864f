// T5Gemma: transformers' modeling_t5gemma.py. An encoder and a decoder, each a Gemma 2 stack (own embed_tokens,
// layers, final norm, rotary embedding) configured by config.encoder / config.decoder. Layers wrap self-attention
// and the gated MLP in pre/post RMSNorms; decoder layers add cross-attention (k/v from cross_attention_hidden_size)
// with its own pre/post norms.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/vision_towers.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr stack(const Config& c, bool decoder, int64_t cross_hidden) {
  DecoderSpec s = read_decoder(c, "T5Gemma");
  s.head_dim = c.i("head_dim", 256);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.act = c.s("hidden_activation", "gelu_pytorch_tanh");
  auto norm = [&] { return rms_norm("T5GemmaRMSNorm", s.hidden); };
  auto layer = make(decoder ? "T5GemmaDecoderLayer" : "T5GemmaEncoderLayer");
  layer->add("self_attn", qkvo_attention("T5GemmaSelfAttention",
                                         {s.hidden, s.heads, s.kv_heads, s.head_dim, s.qkv_bias, s.o_bias}));
  layer->add("pre_self_attn_layernorm", norm());
  layer->add("post_self_attn_layernorm", norm());
  layer->add("mlp", gated_mlp("T5GemmaMLP", s.hidden, s.inter, false, act_class(s.act)));
  layer->add("pre_feedforward_layernorm", norm());
  layer->add("post_feedforward_layernorm", norm());
  if (decoder) {
    int64_t inner = s.heads * s.head_dim, kv = s.kv_heads * s.head_dim;
    auto x = make("T5GemmaCrossAttention");
    x->add("q_proj", linear(s.hidden, inner, s.qkv_bias));
    x->add("k_proj", linear(cross_hidden, kv, s.qkv_bias));
    x->add("v_proj", linear(cross_hidden, kv, s.qkv_bias));
    x->add("o_proj", linear(inner, s.hidden, s.qkv_bias));
    layer->add("cross_attn", x);
    layer->add("pre_cross_attn_layernorm", norm());
    layer->add("post_cross_attn_layernorm", norm());
  }
  auto m = make(decoder ? "T5GemmaDecoder" : "T5GemmaEncoder");
  m->add("embed_tokens", embedding(s.vocab, s.hidden));
  m->add("norm", norm());
  m->add("layers", repeat(layer, s.layers));
  m->add("rotary_emb", rotary("T5GemmaRotaryEmbedding", s.head_dim));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Json module_defaults{{"model_type", "t5_gemma_module"}};
  SubConfig ec = sub_config(c, "encoder", module_defaults, "t5gemma");
  SubConfig dc = sub_config(c, "decoder", module_defaults, "t5gemma");
  std::vector<std::string> no_split{"T5GemmaEncoderLayer", "T5GemmaDecoderLayer"};
  int64_t enc_hidden = ec.c.i("hidden_size");
  if (cls == "T5GemmaEncoderModel") {
    auto root = make(std::string(cls));
    root->add("encoder", stack(ec.c, false, 0));
    return {root, no_split};
  }
  auto m = make("T5GemmaModel");
  m->add("encoder", stack(ec.c, false, 0));
  m->add("decoder", stack(dc.c, true, dc.c.i("cross_attention_hidden_size", enc_hidden)));
  if (cls == "T5GemmaModel") return {m, no_split};
  if (cls != "T5GemmaForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", m);
  int64_t dh = dc.c.i("hidden_size"), vocab = dc.c.i("vocab_size");
  auto head = make("T5GemmaLMHead");
  head->add("out_proj", heads::lm_head(dh, vocab, heads::ties_embeddings(c), "model.decoder.embed_tokens.weight"));
  root->add("lm_head", head);
  return {root, no_split};
}

MEMFIT_FAMILY({"t5gemma"}, "T5Gemma", build);

}  // namespace
}  // namespace memfit
