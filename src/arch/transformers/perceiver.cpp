// Perceiver: transformers' modeling_perceiver.py (PerceiverModel without pre/post-processors or decoder, and
// PerceiverForMaskedLM). The latents (a Parameter [num_latents, d_latents]) cross-attend once to the inputs (kv_dim
// = d_model, or the preprocessor's channels) and then run num_self_attends_per_block self-attention layers (the block
// is reused num_blocks times, so built once). Each PerceiverLayer: attention.self (layernorm1 over the queries,
// layernorm2 over the inputs in cross-attention, query/key/value Linears to qk/v channels), attention.output.dense
// (v -> q_dim in cross-attention), layernorm and a widening MLP (dense1, dense2). The masked LM adds a text
// preprocessor (token and position tables of d_model), a BasicDecoder (a trainable position query
// [max_position_embeddings, d_model] and one cross-attention layer of 8 heads, qk 256) and a vocab bias.
#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace {
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

ModulePtr masked_lm(const Config& c) {
  const int64_t d = media::dim(c, "d_model", 768), vocab = media::dim(c, "vocab_size", 262);
  const int64_t max_pos = media::dim(c, "max_position_embeddings", 2048);
  auto pre = make("PerceiverTextPreprocessor");
  pre->add("embeddings", embedding(vocab, d));
  pre->add("position_embeddings", embedding(max_pos, d));
  auto queries = make("PerceiverTrainablePositionEncoding");
  queries->param("position_embeddings", {max_pos, d});
  auto dec = make("PerceiverBasicDecoder");
  dec->add("output_position_encodings", queries);
  dec->add("positions_projection", leaf("Identity"));
  dec->add("decoding_cross_attention",
           perceiver_layer(c, {true, d, media::dim(c, "d_latents", 1280), 8 * 32, d, 8, 1}));
  dec->add("final_layer", leaf("Identity"));
  auto model = make("PerceiverModel");
  model->add("input_preprocessor", pre);
  model->add("embeddings", latents(c));
  model->add("encoder", encoder(c, d));
  model->add("decoder", dec);
  auto root = make("PerceiverForMaskedLM");
  root->add("perceiver", model);
  auto emb_dec = make("PerceiverEmbeddingDecoder");
  emb_dec->param("bias", {vocab});
  root->add("embedding_decoder", emb_dec);
  return root;
}

MEMFIT_FAMILY({"perceiver"}, "Perceiver", [](const Config& c, std::string_view cls) {
  if (cls == "PerceiverForMaskedLM") return Model{masked_lm(c), {}};
  if (cls != "PerceiverModel") heads::unsupported(cls);
  auto m = make("PerceiverModel");
  m->add("embeddings", latents(c));
  m->add("encoder", encoder(c, media::dim(c, "d_model", 768)));
  return Model{m, {}};
});

}  // namespace
}  // namespace memfit
