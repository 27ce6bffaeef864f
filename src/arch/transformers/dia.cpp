// Dia: transformers' modeling_dia.py. A text encoder and an audio-code decoder (Llama-style: RMSNorm, rotary,
// bias-free q/k/v/o, a fused gate_up MLP); the decoder adds cross-attention to the encoder and sums one embedding
// per codebook channel from a single table of vocab_size * num_channels rows (offsets are a long buffer).
// ForConditionalGeneration projects to every channel's logits at once (logits_dense).
#include "arch/blocks.h"
#include "arch/registry.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/vision_towers.h"
#include "format/config_defaults.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Side {
  int64_t h, heads, kv, head_dim, inter, layers, vocab;
  std::string act;
};

Side side(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 1024), heads = media::dim(c, "num_attention_heads", 16);
  int64_t kv = c.has("num_key_value_heads") ? media::dim(c, "num_key_value_heads", heads) : heads;
  return {h, heads, kv, c.has("head_dim") ? media::dim(c, "head_dim", 128) : h / heads,
          media::dim(c, "intermediate_size", 4096), media::count(c, "num_hidden_layers", 12),
          media::dim(c, "vocab_size", 256), c.s("hidden_act", "silu")};
}

ModulePtr norm(int64_t h) { return rms_norm("DiaRMSNorm", h); }

ModulePtr self_attention(const Side& s) {
  return qkvo_attention("DiaSelfAttention", {s.h, s.heads, s.kv, s.head_dim});
}

ModulePtr encoder(const Config& c) {
  Side s = side(c);
  auto l = make("DiaEncoderLayer");
  l->add("pre_sa_norm", norm(s.h));
  l->add("self_attention", self_attention(s));
  l->add("post_sa_norm", norm(s.h));
  l->add("mlp", gate_up_mlp("DiaMLP", s.h, s.inter, act_class(s.act)));
  auto e = make("DiaEncoder");
  e->add("embedding", embedding(s.vocab, s.h));
  e->add("layers", repeat(l, s.layers));
  e->add("norm", norm(s.h));
  e->add("rotary_emb", rotary("DiaRotaryEmbedding", s.head_dim));
  return e;
}

ModulePtr decoder(const Config& c) {
  Side s = side(c);
  int64_t channels = media::dim(c, "num_channels", 9), cross_h = media::dim(c, "cross_hidden_size", 1024);
  int64_t cross_heads = media::dim(c, "cross_num_attention_heads", 16);
  int64_t cross_kv = media::dim(c, "cross_num_key_value_heads", 16), cross_dim = media::dim(c, "cross_head_dim", 128);
  auto cross = make("DiaCrossAttention");
  cross->add("q_proj", linear(s.h, cross_heads * cross_dim, false));
  cross->add("k_proj", linear(cross_h, cross_kv * cross_dim, false));
  cross->add("v_proj", linear(cross_h, cross_kv * cross_dim, false));
  cross->add("o_proj", linear(cross_heads * cross_dim, s.h, false));
  auto l = make("DiaDecoderLayer");
  l->add("self_attention", self_attention(s));
  l->add("cross_attention", cross);
  l->add("pre_sa_norm", norm(s.h));
  l->add("pre_ca_norm", norm(s.h));
  l->add("pre_mlp_norm", norm(s.h));
  l->add("mlp", gate_up_mlp("DiaMLP", s.h, s.inter, act_class(s.act)));
  auto emb = make("DiaMultiChannelEmbedding");
  emb->add("embed", embedding(s.vocab * channels, s.h));
  emb->buffer("offsets", {channels}, DType::I64, false);
  auto d = make("DiaDecoder");
  d->add("embeddings", emb);
  d->add("layers", repeat(l, s.layers));
  d->add("norm", norm(s.h));
  d->add("rotary_emb", rotary("DiaRotaryEmbedding", s.head_dim));
  return d;
}

// DiaConfig builds an omitted encoder_config / decoder_config from the sub-config class's defaults.
SubConfig side_config(const Config& c, const char* key, const char* type) {
  return sub_config(c, key, with_class_defaults(Json{{"model_type", type}}), type);
}

Model build(const Config& c, std::string_view cls) {
  SubConfig ec = side_config(c, "encoder_config", "dia_encoder"), dcfg = side_config(c, "decoder_config", "dia_decoder");
  const Config& dc = dcfg.c;
  auto m = make("DiaModel");
  m->add("encoder", encoder(ec.c));
  m->add("decoder", decoder(dc));
  std::vector<std::string> no_split{"DiaEncoderLayer", "DiaDecoderLayer"};
  if (cls == "DiaModel") return {m, no_split};
  if (cls != "DiaForConditionalGeneration") heads::unsupported(cls);
  auto root = make("DiaForConditionalGeneration");
  root->add("model", m);
  root->add("logits_dense", linear(media::dim(dc, "hidden_size", 2048),
                                   media::dim(dc, "num_channels", 9) * media::dim(dc, "vocab_size", 1028), false));
  return {root, no_split};
}

MEMFIT_FAMILY({"dia"}, "Dia", build);

}  // namespace
}  // namespace memfit
