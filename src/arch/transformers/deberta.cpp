// DeBERTa (v1): transformers' modeling_deberta.py. BERT-shaped layers whose disentangled attention has one fused
// bias-free in_proj [3 * all_head, hidden] with separate q_bias / v_bias, optional talking-head projections, and with
// relative_attention, pos_proj (c2p) / pos_q_proj (p2c) plus rel_embeddings in the encoder. No pooler.
#include <string>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Whether pos_att_type (a list, or the legacy "c2p|p2c" string) names `t`.
bool pos_att(const Config& c, const std::string& t) {
  if (!c.has("pos_att_type")) return false;
  const Json& j = c.raw().at("pos_att_type");
  if (j.is_array()) {
    for (const auto& s : c.strings("pos_att_type"))
      if (s == t) return true;
    return false;
  }
  std::string s = c.s("pos_att_type", "");
  for (char& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s.find(t) != std::string::npos;
}

ModulePtr deberta_model(const Config& c) {
  int64_t h = c.i("hidden_size", 768), inter = c.i("intermediate_size", 3072), heads = c.i("num_attention_heads", 12);
  int64_t emb_size = c.i("embedding_size", h), max_pos = c.i("max_position_embeddings", 512);
  int64_t type_vocab = c.i("type_vocab_size", 0);
  bool relative = c.b("relative_attention", false);
  auto emb = make("DebertaEmbeddings");
  emb->add("word_embeddings", embedding(c.i("vocab_size", 50265), emb_size));
  if (c.b("position_biased_input", true)) emb->add("position_embeddings", embedding(max_pos, emb_size));
  if (type_vocab > 0) emb->add("token_type_embeddings", embedding(type_vocab, emb_size));
  if (emb_size != h) emb->add("embed_proj", linear(emb_size, h, false));
  emb->add("LayerNorm", layer_norm(h, true, "DebertaLayerNorm"));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, max_pos}, DType::I64, false);

  auto self = make("DisentangledSelfAttention");
  self->add("in_proj", linear(h, 3 * h, false));
  self->param("q_bias", {h});
  self->param("v_bias", {h});
  if (c.b("talking_head", false)) {
    self->add("head_logits_proj", linear(heads, heads, false));
    self->add("head_weights_proj", linear(heads, heads, false));
  }
  if (relative) {
    self->add("pos_dropout", leaf("Dropout"));
    if (pos_att(c, "c2p")) self->add("pos_proj", linear(h, h, false));
    if (pos_att(c, "p2c")) self->add("pos_q_proj", linear(h, h));
  }
  self->add("dropout", leaf("Dropout"));
  auto self_out = make("DebertaSelfOutput");
  self_out->add("dense", linear(h, h));
  self_out->add("LayerNorm", layer_norm(h, true, "DebertaLayerNorm"));
  self_out->add("dropout", leaf("Dropout"));
  auto attn = make("DebertaAttention");
  attn->add("self", self);
  attn->add("output", self_out);
  auto intermediate = make("DebertaIntermediate");
  intermediate->add("dense", linear(h, inter));
  intermediate->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto out = make("DebertaOutput");
  out->add("dense", linear(inter, h));
  out->add("LayerNorm", layer_norm(h, true, "DebertaLayerNorm"));
  out->add("dropout", leaf("Dropout"));
  auto layer = make("DebertaLayer");
  layer->add("attention", attn);
  layer->add("intermediate", intermediate);
  layer->add("output", out);

  auto enc = make("DebertaEncoder");
  enc->add("layer", repeat(layer, c.i("num_hidden_layers", 12)));
  if (relative) {
    int64_t max_rel = c.i("max_relative_positions", -1);
    enc->add("rel_embeddings", embedding((max_rel < 1 ? max_pos : max_rel) * 2, h));
  }
  auto m = make("DebertaModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls != "DebertaModel") heads::unsupported(cls);
  return {deberta_model(c), {}};
}

MEMFIT_FAMILY({"deberta"}, "Deberta", build);

}  // namespace
}  // namespace memfit
