// Perceiver: transformers' modeling_perceiver.py (PerceiverModel without pre/post-processors or decoder, and the
// text heads PerceiverForMaskedLM and PerceiverForSequenceClassification). The latents (a Parameter [num_latents,
// d_latents]) cross-attend once to the inputs (kv_dim = d_model, or the preprocessor's channels) and then run
// num_self_attends_per_block self-attention layers (the block is reused num_blocks times, so built once). Each
// PerceiverLayer: attention.self (layernorm1 over the queries, layernorm2 over the inputs in cross-attention,
// query/key/value Linears to qk/v channels), attention.output.dense (v -> q_dim in cross-attention), layernorm and a
// widening MLP (dense1, dense2). The text heads add a text preprocessor (token and position tables of d_model) and a
// BasicDecoder (trainable queries and one cross-attention layer over the latents).
#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct LayerShape {
  bool cross;
  int64_t q_dim, kv_dim, qk, v, heads, widening;
};

ModulePtr perceiver_layer(const Config& c, const LayerShape& s) {
  if (s.qk % s.heads != 0 || s.v % s.heads != 0)
    throw ConfigError(fmt::format("qk_channels ({}) and v_channels ({}) must be divisible by the head count ({})", s.qk,
                                  s.v, s.heads));
  media::require(c, s.q_dim * s.widening <= media::kMaxDim, "widening factor too large");
  auto self = make("PerceiverSelfAttention");
  self->add("layernorm1", layer_norm(s.q_dim));
  self->add("layernorm2", s.cross ? layer_norm(s.kv_dim) : leaf("Identity"));
  self->add("query", linear(s.q_dim, s.qk));
  self->add("key", linear(s.kv_dim, s.qk));
  self->add("value", linear(s.kv_dim, s.v));
  self->add("dropout", leaf("Dropout"));
  auto out = make("PerceiverSelfOutput");
  out->add("dense", linear(s.v, s.cross ? s.q_dim : s.v));
  auto attn = make("PerceiverAttention");
  attn->add("self", self);
  attn->add("output", out);
  auto mlp = make("PerceiverMLP");
  mlp->add("dense1", linear(s.q_dim, s.widening * s.q_dim));
  mlp->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  mlp->add("dense2", linear(s.widening * s.q_dim, s.q_dim));
  auto l = make("PerceiverLayer");
  l->add("attention", attn);
  l->add("layernorm", layer_norm(s.q_dim));
  l->add("mlp", mlp);
  return l;
}

// An optional channel count (qk_channels / v_channels): null or absent = derived.
int64_t channels(const Config& c, std::string_view key) { return c.has(key) ? media::dim(c, key, 1) : 0; }

ModulePtr encoder(const Config& c, int64_t kv_dim) {
  const int64_t latents = media::dim(c, "d_latents", 1280);
  const int64_t self_heads = media::dim(c, "num_self_attention_heads", 8);
  const int64_t cross_heads = media::dim(c, "num_cross_attention_heads", 8);
  media::require(c, latents % self_heads == 0 && latents % cross_heads == 0,
                 "d_latents must be divisible by the self- and cross-attention head counts");
  const int64_t qk = channels(c, "qk_channels"), v = channels(c, "v_channels");
  // Cross-attention without qk_channels: the queries' or the inputs' width, by cross_attention_shape_for_attention.
  int64_t cross_qk = qk;
  if (!cross_qk) {
    const std::string shape = c.s("cross_attention_shape_for_attention", "kv");
    media::require(c, shape == "q" || shape == "kv", "cross_attention_shape_for_attention must be `q` or `kv`");
    cross_qk = shape == "q" ? latents : kv_dim;
  }
  auto e = make("PerceiverEncoder");
  e->add("cross_attention",
         perceiver_layer(c, {true, latents, kv_dim, cross_qk, v ? v : cross_qk, cross_heads,
                             media::dim(c, "cross_attention_widening_factor", 1)}));
  const int64_t self_qk = qk ? qk : latents;
  auto layer = perceiver_layer(c, {false, latents, latents, self_qk, v ? v : self_qk, self_heads,
                                   media::dim(c, "self_attention_widening_factor", 1)});
  e->add("self_attends", repeat(layer, media::count(c, "num_self_attends_per_block", 26)));
  return e;
}

ModulePtr latents(const Config& c) {
  auto m = make("PerceiverEmbeddings");
  m->param("latents", {media::dim(c, "num_latents", 256), media::dim(c, "d_latents", 1280)});
  return m;
}

// PerceiverBasicDecoder: trainable queries [index_dims, channels], a cross-attention layer over the latents, and
// final_layer (a Linear to `out` channels, or Identity without final_project).
ModulePtr basic_decoder(const Config& c, int64_t index_dims, int64_t channels, int64_t qk, int64_t v, int64_t heads,
                        int64_t out) {
  auto queries = make("PerceiverTrainablePositionEncoding");
  queries->param("position_embeddings", {index_dims, channels});
  auto dec = make("PerceiverBasicDecoder");
  dec->add("output_position_encodings", queries);
  dec->add("positions_projection", leaf("Identity"));
  dec->add("decoding_cross_attention",
           perceiver_layer(c, {true, channels, media::dim(c, "d_latents", 1280), qk, v, heads, 1}));
  dec->add("final_layer", out > 0 ? linear(channels, out) : leaf("Identity"));
  return dec;
}

// PerceiverModel with the text preprocessor (token and position tables of d_model) and `decoder`.
ModulePtr text_model(const Config& c, ModulePtr decoder) {
  const int64_t d = media::dim(c, "d_model", 768);
  auto pre = make("PerceiverTextPreprocessor");
  pre->add("embeddings", embedding(media::dim(c, "vocab_size", 262), d));
  pre->add("position_embeddings", embedding(media::dim(c, "max_position_embeddings", 2048), d));
  auto model = make("PerceiverModel");
  model->add("input_preprocessor", pre);
  model->add("embeddings", latents(c));
  model->add("encoder", encoder(c, d));
  model->add("decoder", decoder);
  return model;
}

// PerceiverForMaskedLM: queries per position (d_model wide), 8 heads of qk 256, no final projection; the logits are
// the token table's transpose plus a vocab bias (PerceiverEmbeddingDecoder).
ModulePtr masked_lm(const Config& c) {
  const int64_t d = media::dim(c, "d_model", 768);
  auto root = make("PerceiverForMaskedLM");
  root->add("perceiver", text_model(c, basic_decoder(c, media::dim(c, "max_position_embeddings", 2048), d, 8 * 32,
                                                     d, 8, 0)));
  auto emb_dec = make("PerceiverEmbeddingDecoder");
  emb_dec->param("bias", {media::dim(c, "vocab_size", 262)});
  root->add("embedding_decoder", emb_dec);
  return root;
}

// PerceiverForSequenceClassification: one d_latents-wide query, a one-head cross-attention whose qk/v width follows
// cross_attention_shape_for_attention (both d_latents here), and final_layer d_latents -> num_labels.
ModulePtr sequence_classification(const Config& c) {
  const int64_t lat = media::dim(c, "d_latents", 1280);
  auto cls_dec = make("PerceiverClassificationDecoder");
  cls_dec->add("decoder", basic_decoder(c, 1, lat, lat, lat, 1, heads::num_labels(c)));
  auto root = make("PerceiverForSequenceClassification");
  root->add("perceiver", text_model(c, cls_dec));
  return root;
}

MEMFIT_FAMILY({"perceiver"}, "Perceiver", [](const Config& c, std::string_view cls) {
  if (cls == "PerceiverForMaskedLM") return Model{masked_lm(c), {}};
  if (cls == "PerceiverForSequenceClassification") return Model{sequence_classification(c), {}};
  if (cls != "PerceiverModel") heads::unsupported(cls);
  auto m = make("PerceiverModel");
  m->add("embeddings", latents(c));
  m->add("encoder", encoder(c, media::dim(c, "d_model", 768)));
  return Model{m, {}};
});

}  // namespace
}  // namespace memfit
