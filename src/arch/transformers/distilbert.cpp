// DistilBERT: transformers' modeling_distilbert.py (Embeddings, Transformer of TransformerBlock).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr distilbert_model(const Config& c) {
  int64_t dim = c.i("dim", 768), hidden = c.i("hidden_dim", 3072), max_pos = c.i("max_position_embeddings", 512);
  auto emb = make("Embeddings");
  emb->add("word_embeddings", embedding(c.i("vocab_size", 30522), dim));
  emb->add("position_embeddings", embedding(max_pos, dim));
  emb->add("LayerNorm", layer_norm(dim));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, max_pos}, DType::I64, false);

  auto attn = make("DistilBertSelfAttention");
  for (const char* n : {"q_lin", "k_lin", "v_lin", "out_lin"}) attn->add(n, linear(dim, dim));
  attn->add("dropout", leaf("Dropout"));
  auto ffn = make("FFN");
  ffn->add("dropout", leaf("Dropout"));
  ffn->add("lin1", linear(dim, hidden));
  ffn->add("lin2", linear(hidden, dim));
  ffn->add("activation", leaf(act_class(c.s("activation", "gelu"))));
  auto block = make("TransformerBlock");
  block->add("attention", attn);
  block->add("sa_layer_norm", layer_norm(dim));
  block->add("ffn", ffn);
  block->add("output_layer_norm", layer_norm(dim));
  auto tr = make("Transformer");
  tr->add("layer", repeat(block, c.i("n_layers", 6)));

  auto m = make("DistilBertModel");
  m->add("embeddings", emb);
  m->add("transformer", tr);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "DistilBertModel") return {distilbert_model(c), {}};
  int64_t dim = c.i("dim", 768), vocab = c.i("vocab_size", 30522);
  auto root = make(std::string(cls));
  root->add("distilbert", distilbert_model(c));
  if (cls == "DistilBertForMaskedLM") {
    root->add("activation", leaf(act_class(c.s("activation", "gelu"))));
    root->add("vocab_transform", linear(dim, dim));
    root->add("vocab_layer_norm", layer_norm(dim));
    auto proj = make("Linear");
    proj->tie("weight", {vocab, dim}, "distilbert.embeddings.word_embeddings.weight");
    proj->param("bias", {vocab});
    root->add("vocab_projector", proj);
  } else if (cls == "DistilBertForSequenceClassification") {
    root->add("pre_classifier", linear(dim, dim));
    root->add("classifier", linear(dim, heads::num_labels(c)));
    root->add("dropout", leaf("Dropout"));
  } else if (cls == "DistilBertForQuestionAnswering") {
    root->add("qa_outputs", linear(dim, 2));
    root->add("dropout", leaf("Dropout"));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"distilbert"}, "DistilBert", build);

}  // namespace
}  // namespace memfit
