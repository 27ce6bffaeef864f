// BROS (modeling_bros.py): BERT's layers and pooler under the Bros prefix, plus bbox_embeddings: two sinusoidal
// BrosPositionalEmbedding1D (x_pos_emb, y_pos_emb; a persistent float32 inv_freq [d1 / 2] each) and a bias-free
// bbox_projection d2 -> hidden / heads, where d2 = hidden // 4 and d1 = d2 // dim_bbox (BrosConfig.__post_init__
// always recomputes them). BrosTextEmbeddings keeps persistent position_ids / token_type_ids int64 [1, max_pos].
// No _no_split_modules. Only AutoModel's and the token classifier's classes are built.
#include "arch/transformers/bert.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

ModulePtr bros_model(const bert::BertShape& s, const Config& c) {
  const int64_t dim_bbox = c.i("dim_bbox", 8);
  if (dim_bbox <= 0) throw ConfigError("dim_bbox must be positive (model_type `bros`)");
  const int64_t d2 = s.hidden / 4, d1 = d2 / dim_bbox;
  auto t = make("BrosTextEmbeddings");
  t->add("word_embeddings", embedding(s.vocab, s.hidden));
  t->add("position_embeddings", embedding(s.max_pos, s.hidden));
  t->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  t->add("LayerNorm", layer_norm(s.hidden));
  t->add("dropout", leaf("Dropout"));
  t->buffer("position_ids", {1, s.max_pos}, DType::I64);
  t->buffer("token_type_ids", {1, s.max_pos}, DType::I64);
  auto pos1d = make("BrosPositionalEmbedding1D");
  pos1d->buffer("inv_freq", {(d1 + 1) / 2}, DType::F32);  // arange(0, d1, 2)
  auto pos2d = make("BrosPositionalEmbedding2D");
  pos2d->add("x_pos_emb", pos1d);
  pos2d->add("y_pos_emb", pos1d);
  auto bbox = make("BrosBboxEmbeddings");
  bbox->add("bbox_sinusoid_emb", pos2d);
  bbox->add("bbox_projection", linear(d2, s.hidden / s.heads, false));
  auto enc = make("BrosEncoder");
  enc->add("layer", repeat(bert::layer(s), s.layers));
  auto pooler = make("BrosPooler");
  pooler->add("dense", linear(s.hidden, s.hidden));
  pooler->add("activation", leaf("Tanh"));
  auto m = make("BrosModel");
  m->add("embeddings", t);
  m->add("bbox_embeddings", bbox);
  m->add("encoder", enc);
  m->add("pooler", pooler);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const auto s = bert::read(c, "Bros", 30522);
  if (cls == "BrosModel") return {bros_model(s, c), {}};
  if (cls != "BrosForTokenClassification") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("bros", bros_model(s, c));
  root->add("dropout", leaf("Dropout"));
  root->add("classifier", linear(s.hidden, heads::num_labels(c)));
  return {root, {}};
}

MEMFIT_FAMILY({"bros"}, "Bros", build);

}  // namespace
