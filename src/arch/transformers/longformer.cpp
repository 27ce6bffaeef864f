// Longformer: transformers' modeling_longformer.py. RoBERTa-shaped layers whose self-attention adds separate
// global-attention projections (query_global, key_global, value_global); embeddings without id buffers; a pooler.
#include "arch/transformers/bert.h"
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr longformer_model(const bert::BertShape& s, bool pooler) {
  auto emb = make("LongformerEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.hidden));
  emb->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  emb->add("LayerNorm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->add("position_embeddings", embedding(s.max_pos, s.hidden));
  auto layer = bert::layer(s);
  auto self = layer->child("attention")->child("self");
  for (const char* n : {"query_global", "key_global", "value_global"}) self->add(n, linear(s.hidden, s.hidden));
  auto enc = make("LongformerEncoder");
  enc->add("layer", repeat(layer, s.layers));
  auto m = make("LongformerModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("LongformerPooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  bert::BertShape s = bert::read(c, "Longformer", 30522);
  if (cls != "LongformerModel") heads::unsupported(cls);
  return {longformer_model(s, true), {"LongformerSelfAttention"}};
}

MEMFIT_FAMILY({"longformer"}, "Longformer", build);

}  // namespace
}  // namespace memfit
