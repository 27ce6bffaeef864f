// Cohere ASR: transformers' modeling_cohere_asr.py. Parakeet's FastConformer encoder (AutoModel of encoder_config)
// and a transformer decoder: token and learned position tables, an embedding LayerNorm, a Linear from the encoder
// width, layers of self-attention, cross-attention (q/k/v/o over head_dim, biases per attention_bias) and an
// fc1/fc2 MLP with three LayerNorms, and a final LayerNorm. ...ForConditionalGeneration adds proj_out (with bias).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/multimodal.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(const std::string& cls, const Config& c, int64_t h) {
  int64_t heads = media::dim(c, "num_attention_heads", 8), kv = media::dim(c, "num_key_value_heads", heads);
  media::divisible(c, h, heads, "hidden_size / num_attention_heads");
  int64_t hd = media::dim(c, "head_dim", h / heads);
  return qkvo_attention(cls, {h, heads, kv, hd, c.b("attention_bias", true), c.b("attention_bias", true)});
}

ModulePtr decoder(const Config& c, int64_t enc_hidden) {
  int64_t h = media::dim(c, "hidden_size", 1024), inter = media::dim(c, "intermediate_size", 4096);
  auto mlp = make("CohereAsrDecoderMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "relu"))));
  mlp->add("fc1", linear(h, inter));
  mlp->add("fc2", linear(inter, h));
  auto l = make("CohereAsrDecoderLayer");
  l->add("self_attn", attention("CohereAsrSelfAttention", c, h));
  l->add("encoder_attn", attention("CohereAsrCrossAttention", c, h));
  l->add("mlp", mlp);
  l->add("input_layernorm", layer_norm(h));
  l->add("post_attention_layernorm", layer_norm(h));
  l->add("final_layernorm", layer_norm(h));
  auto d = make("CohereAsrDecoder");
  d->add("embed_tokens", embedding(media::dim(c, "vocab_size", 16384), h));
  d->add("layers", repeat(l, media::count(c, "num_hidden_layers", 8)));
  d->add("norm", layer_norm(h));
  d->add("pos_emb", embedding(media::dim(c, "max_position_embeddings", 1024), h));
  d->add("embedding_layernorm", layer_norm(h));
  d->add("proj", linear(enc_hidden, h));
  return d;
}

Model build(const Config& c, std::string_view cls) {
  SubConfig ec = sub_config(c, "encoder_config", {{"model_type", "parakeet_encoder"}}, "");
  Model enc = auto_model(ec.c);
  auto m = make("CohereAsrModel");
  m->add("encoder", enc.root);
  m->add("decoder", decoder(c, media::dim(ec.c, "hidden_size", 1280)));
  Model base{m, {"CohereAsrEncoderLayer", "CohereAsrDecoderLayer"}};
  merge_no_split(base.no_split, enc.no_split);
  if (cls == "CohereAsrModel") return base;
  if (cls != "CohereAsrForConditionalGeneration") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("model", m);
  root->add("proj_out", linear(media::dim(c, "hidden_size", 1024), media::dim(c, "vocab_size", 16384)));
  base.root = root;
  return base;
}

MEMFIT_FAMILY({"cohere_asr"}, "CohereAsr", build);

}  // namespace
}  // namespace memfit
