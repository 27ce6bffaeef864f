// VisualBERT: transformers' modeling_visual_bert.py (VisualBertModel). BERT layers over text and visual embeddings:
// BERT's word / position / token-type tables, LayerNorm and position_ids (no token_type_ids buffer), then a visual
// token-type table, a visual position table and a Linear from visual_embedding_dim; a pooler, and one more
// VisualBertLayer when bypass_transformer. No _no_split_modules.
#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "VisualBertModel") heads::unsupported(cls);
  bert::BertShape s = bert::read(c, "VisualBert", 30522);
  auto emb = make("VisualBertEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.hidden));
  emb->add("position_embeddings", embedding(s.max_pos, s.hidden));
  emb->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  emb->add("LayerNorm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  emb->add("visual_token_type_embeddings", embedding(s.type_vocab, s.hidden));
  emb->add("visual_position_embeddings", embedding(s.max_pos, s.hidden));
  emb->add("visual_projection", linear(c.i("visual_embedding_dim", 512), s.hidden));
  auto enc = make("VisualBertEncoder");
  enc->add("layer", repeat(bert::layer(s), s.layers));
  auto pool = make("VisualBertPooler");
  pool->add("dense", linear(s.hidden, s.hidden));
  pool->add("activation", leaf("Tanh"));
  auto m = make("VisualBertModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("pooler", pool);
  if (c.b("bypass_transformer", false)) m->add("additional_layer", bert::layer(s));
  return {m, {}};
}

MEMFIT_FAMILY({"visual_bert"}, "VisualBert", build);

}  // namespace
}  // namespace memfit
