// ELECTRA: transformers' modeling_electra.py. BERT layers under an embedding_size-wide embedding block (projected
// when it differs from hidden_size), with discriminator / generator heads.
#include "arch/transformers/bert.h"
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr electra_model(const bert::BertShape& s, int64_t emb_dim) {
  auto emb = make("ElectraEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, emb_dim));
  emb->add("position_embeddings", embedding(s.max_pos, emb_dim));
  emb->add("token_type_embeddings", embedding(s.type_vocab, emb_dim));
  emb->add("LayerNorm", layer_norm(emb_dim));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  emb->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  auto m = make("ElectraModel");
  m->add("embeddings", emb);
  if (emb_dim != s.hidden) m->add("embeddings_project", linear(emb_dim, s.hidden));
  auto enc = make("ElectraEncoder");
  enc->add("layer", repeat(bert::layer(s), s.layers));
  m->add("encoder", enc);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  bert::BertShape s = bert::read(c, "Electra", 30522);
  s.hidden = c.i("hidden_size", 256);
  s.heads = c.i("num_attention_heads", 4);
  s.inter = c.i("intermediate_size", 1024);
  checked_count(s.layers);
  int64_t emb_dim = c.i("embedding_size", 128);
  if (cls == "ElectraModel") return {electra_model(s, emb_dim), {}};
  auto root = make(std::string(cls));
  root->add("electra", electra_model(s, emb_dim));
  int64_t labels = heads::num_labels(c);
  if (cls == "ElectraForPreTraining") {
    auto p = make("ElectraDiscriminatorPredictions");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf(act_class(s.act)));
    p->add("dense_prediction", linear(s.hidden, 1));
    root->add("discriminator_predictions", p);
  } else if (cls == "ElectraForMaskedLM" || cls == "ElectraForCausalLM") {
    auto p = make("ElectraGeneratorPredictions");
    p->add("activation", leaf("GELUActivation"));
    p->add("LayerNorm", layer_norm(emb_dim));
    p->add("dense", linear(s.hidden, emb_dim));
    root->add("generator_predictions", p);
    auto lm = make("Linear");
    if (heads::ties_embeddings(c, true))
      lm->tie("weight", {s.vocab, emb_dim}, "electra.embeddings.word_embeddings.weight");
    else
      lm->param("weight", {s.vocab, emb_dim});
    lm->param("bias", {s.vocab});
    root->add("generator_lm_head", lm);
  } else if (cls == "ElectraForSequenceClassification") {
    auto h = make("ElectraClassificationHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("activation", leaf("GELUActivation"));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.hidden, labels));
    root->add("classifier", h);
  } else if (cls == "ElectraForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, labels));
  } else if (cls == "ElectraForQuestionAnswering") {
    root->add("qa_outputs", linear(s.hidden, labels));
  } else if (cls == "ElectraForMultipleChoice") {
    // ElectraSequenceSummary: summary_use_proj (default True) projects to hidden_size (or num_labels).
    auto sum = make("ElectraSequenceSummary");
    if (c.b("summary_use_proj", true))
      sum->add("summary", linear(s.hidden, c.b("summary_proj_to_labels", false) && labels > 0 ? labels : s.hidden));
    else
      sum->add("summary", leaf("Identity"));
    root->add("sequence_summary", sum);
    root->add("classifier", linear(s.hidden, 1));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"electra"}, "Electra", build);

}  // namespace
}  // namespace memfit
