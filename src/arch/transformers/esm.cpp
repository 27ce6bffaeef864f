// ESM-1b / ESM-2 protein language models: transformers' modeling_esm.py. EsmModel = embeddings (word embeddings,
// an optional layer_norm when emb_layer_norm_before, int64 position_ids, learned position_embeddings only for
// position_embedding_type "absolute"), rotary_embeddings (for "rotary": one persistent float32 inv_freq
// [head_dim / 2]), encoder (pre-LN EsmLayers, emb_layer_norm_after), pooler, and contact_head (a Linear from
// layers x heads attention maps to 1). vocab_size has no class default (None): transformers fails without it, and
// so does memfit. ESMFold (EsmForProteinFolding) is not built.
#include <fmt/format.h>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct EsmShape {
  int64_t vocab, hidden, layers, heads, inter, max_pos;
  bool rotary, absolute, layer_norm_before, cross;
};

EsmShape esm_shape(const Config& c) {
  if (!c.has("vocab_size"))
    throw ConfigError(fmt::format("config key `vocab_size` is null: EsmEmbeddings needs it, as in transformers "
                                  "(model_type `{}`)", c.model_type()));
  EsmShape s{c.i("vocab_size"), c.i("hidden_size", 768), checked_count(c.i("num_hidden_layers", 12)),
             c.i("num_attention_heads", 12), c.i("intermediate_size", 3072), c.i("max_position_embeddings", 1026),
             false, false, c.b("emb_layer_norm_before", false), c.b("add_cross_attention", false)};
  if (s.heads == 0 || s.hidden % s.heads != 0)
    throw ConfigError(fmt::format("The hidden size ({}) is not a multiple of the number of attention heads ({}) "
                                  "(model_type `{}`)", s.hidden, s.heads, c.model_type()));
  if (s.cross && !c.b("is_decoder", false))
    throw ConfigError("EsmLayer should be used as a decoder model if cross attention is added (model_type `esm`)");
  const std::string pos = c.s("position_embedding_type", "absolute");
  s.rotary = pos == "rotary";
  s.absolute = pos == "absolute";
  return s;
}

ModulePtr esm_attention(const EsmShape& s) {
  auto self = make("EsmSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(s.hidden, s.hidden));
  auto out = make("EsmSelfOutput");
  out->add("dense", linear(s.hidden, s.hidden));
  out->add("dropout", leaf("Dropout"));
  auto a = make("EsmAttention");
  a->add("self", self);
  a->add("output", out);
  a->add("LayerNorm", layer_norm(s.hidden));
  return a;
}

ModulePtr esm_model(const EsmShape& s, bool pooler) {
  auto emb = make("EsmEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.hidden));
  if (s.layer_norm_before) emb->add("layer_norm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  if (s.absolute) emb->add("position_embeddings", embedding(s.max_pos, s.hidden));

  auto layer = make("EsmLayer");
  layer->add("attention", esm_attention(s));
  if (s.cross) layer->add("crossattention", esm_attention(s));
  auto inter = make("EsmIntermediate");
  inter->add("dense", linear(s.hidden, s.inter));
  auto out = make("EsmOutput");
  out->add("dense", linear(s.inter, s.hidden));
  out->add("dropout", leaf("Dropout"));
  layer->add("intermediate", inter);
  layer->add("output", out);
  layer->add("LayerNorm", layer_norm(s.hidden));
  auto enc = make("EsmEncoder");
  enc->add("layer", repeat(layer, s.layers));
  enc->add("emb_layer_norm_after", layer_norm(s.hidden));

  auto m = make("EsmModel");
  m->add("embeddings", emb);
  if (s.rotary) {
    auto r = make("EsmRotaryEmbedding");
    r->buffer("inv_freq", {(s.hidden / s.heads + 1) / 2}, DType::F32);  // persistent, unlike Llama's
    m->add("rotary_embeddings", r);
  }
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("EsmPooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  auto contact = make("EsmContactPredictionHead");
  contact->add("regression", linear(s.layers * s.heads, 1));
  contact->add("activation", leaf("Sigmoid"));
  m->add("contact_head", contact);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const EsmShape s = esm_shape(c);
  std::vector<std::string> no_split{"EsmLayer", "EsmFoldTriangularSelfAttentionBlock", "EsmEmbeddings"};
  if (cls == "EsmModel") return {esm_model(s, true), no_split};
  auto root = make(std::string(cls));
  root->add("esm", esm_model(s, false));
  if (cls == "EsmForMaskedLM") {
    auto head = make("EsmLMHead");
    head->add("dense", linear(s.hidden, s.hidden));
    head->add("layer_norm", layer_norm(s.hidden));
    head->add("decoder", heads::lm_head(s.hidden, s.vocab, heads::ties_embeddings(c, true),
                                        "esm.embeddings.word_embeddings.weight"));
    head->param("bias", {s.vocab});
    root->add("lm_head", head);
  } else if (cls == "EsmForSequenceClassification") {
    auto head = make("EsmClassificationHead");
    head->add("dense", linear(s.hidden, s.hidden));
    head->add("dropout", leaf("Dropout"));
    head->add("out_proj", linear(s.hidden, heads::num_labels(c)));
    root->add("classifier", head);
  } else if (cls == "EsmForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"esm"}, "Esm", build);

}  // namespace
}  // namespace memfit
