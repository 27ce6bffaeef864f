// ALBERT: transformers' modeling_albert.py. Factorised embeddings (embedding_size) mapped into the hidden size,
// and num_hidden_groups groups of inner_group_num layers shared across the depth.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct AlbertShape {
  int64_t vocab, emb, hidden, inter, max_pos, type_vocab, groups, inner;
  std::string act;
};

ModulePtr albert_layer(const AlbertShape& s) {
  auto attn = make("AlbertAttention");
  attn->add("attention_dropout", leaf("Dropout"));
  attn->add("output_dropout", leaf("Dropout"));
  for (const char* n : {"query", "key", "value", "dense"}) attn->add(n, linear(s.hidden, s.hidden));
  attn->add("LayerNorm", layer_norm(s.hidden));
  auto l = make("AlbertLayer");
  l->add("full_layer_layer_norm", layer_norm(s.hidden));
  l->add("attention", attn);
  l->add("ffn", linear(s.hidden, s.inter));
  l->add("ffn_output", linear(s.inter, s.hidden));
  l->add("activation", leaf(act_class(s.act)));
  l->add("dropout", leaf("Dropout"));
  return l;
}

ModulePtr albert_model(const AlbertShape& s, bool pooler) {
  auto emb = make("AlbertEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.emb));
  emb->add("position_embeddings", embedding(s.max_pos, s.emb));
  emb->add("token_type_embeddings", embedding(s.type_vocab, s.emb));
  emb->add("LayerNorm", layer_norm(s.emb));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  emb->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);

  auto group = make("AlbertLayerGroup");
  group->add("albert_layers", repeat(albert_layer(s), s.inner));
  auto enc = make("AlbertTransformer");
  enc->add("embedding_hidden_mapping_in", linear(s.emb, s.hidden));
  enc->add("albert_layer_groups", repeat(group, s.groups));

  auto m = make("AlbertModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (pooler) {
    m->add("pooler", linear(s.hidden, s.hidden));
    m->add("pooler_activation", leaf("Tanh"));
  }
  return m;
}

// AlbertMLMHead: LayerNorm, bias, dense, decoder (tied to the word embeddings and to `bias`), activation.
ModulePtr mlm_head(const AlbertShape& s, bool tied) {
  auto h = make("AlbertMLMHead");
  h->add("LayerNorm", layer_norm(s.emb));
  h->param("bias", {s.vocab});
  h->add("dense", linear(s.hidden, s.emb));
  if (tied) {
    auto dec = make("Linear");
    dec->tie("weight", {s.vocab, s.emb}, "albert.embeddings.word_embeddings.weight");
    dec->tie("bias", {s.vocab}, "predictions.bias");
    h->add("decoder", dec);
  } else {
    h->add("decoder", linear(s.emb, s.vocab));
  }
  h->add("activation", leaf(act_class(s.act)));
  return h;
}

Model build(const Config& c, std::string_view cls) {
  AlbertShape s{c.i("vocab_size", 30000), c.i("embedding_size", 128), c.i("hidden_size", 4096),
                c.i("intermediate_size", 16384), c.i("max_position_embeddings", 512), c.i("type_vocab_size", 2),
                seq2seq::count(c, "num_hidden_groups", 1), seq2seq::count(c, "inner_group_num", 1),
                c.s("hidden_act", "gelu_new")};
  if (cls == "AlbertModel") return {albert_model(s, true), {}};
  auto root = make(std::string(cls));
  bool tied = heads::ties_embeddings(c, true);
  if (cls == "AlbertForMaskedLM") {
    root->add("albert", albert_model(s, false));
    root->add("predictions", mlm_head(s, tied));
  } else if (cls == "AlbertForPreTraining") {
    root->add("albert", albert_model(s, true));
    root->add("predictions", mlm_head(s, tied));
    auto sop = make("AlbertSOPHead");
    sop->add("dropout", leaf("Dropout"));
    sop->add("classifier", linear(s.hidden, heads::num_labels(c)));
    root->add("sop_classifier", sop);
  } else if (cls == "AlbertForSequenceClassification" || cls == "AlbertForTokenClassification" ||
             cls == "AlbertForMultipleChoice") {
    root->add("albert", albert_model(s, cls != "AlbertForTokenClassification"));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, cls == "AlbertForMultipleChoice" ? 1 : heads::num_labels(c)));
  } else if (cls == "AlbertForQuestionAnswering") {
    root->add("albert", albert_model(s, false));
    root->add("qa_outputs", linear(s.hidden, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"albert"}, "Albert", build);

}  // namespace
}  // namespace memfit
