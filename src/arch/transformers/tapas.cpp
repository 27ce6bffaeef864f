// TAPAS (modeling_tapas.py): BERT's layers and pooler under the Tapas prefix; TapasEmbeddings holds word and
// position tables, then token_type_embeddings_<i> of each type_vocab_sizes[i] (segment, column, row, rank, ...), then
// LayerNorm; no id buffers. No _no_split_modules. TapasForQuestionAnswering adds cell-selection vectors and scalar
// biases and, with num_aggregation_labels > 0, an aggregation_classifier.
#include "arch/transformers/bert.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

ModulePtr tapas_model(const bert::BertShape& s, const Config& c, bool pooler) {
  auto e = make("TapasEmbeddings");
  e->add("word_embeddings", embedding(s.vocab, s.hidden));
  e->add("position_embeddings", embedding(s.max_pos, s.hidden));
  int64_t i = 0;
  if (auto j = c.raw().find("type_vocab_sizes"); j != c.raw().end() && j->is_array())
    for (const auto& n : *j) {
      if (!n.is_number_integer() || n.get<int64_t>() < 0) throw ConfigError("type_vocab_sizes must list sizes");
      e->add("token_type_embeddings_" + std::to_string(i++), embedding(n.get<int64_t>(), s.hidden));
    }
  e->add("LayerNorm", layer_norm(s.hidden));
  e->add("dropout", leaf("Dropout"));
  auto layer = bert::layer(s);
  if (c.b("add_cross_attention", false)) {
    if (!c.b("is_decoder", false)) throw ConfigError("TapasLayer should be used as a decoder model if cross attention is added");
    layer->children.insert(layer->children.begin() + 1, {"crossattention", bert::layer(s)->child("attention")});
  }
  auto enc = make("TapasEncoder");
  enc->add("layer", repeat(layer, s.layers));
  auto m = make("TapasModel");
  m->add("embeddings", e);
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("TapasPooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const auto s = bert::read(c, "Tapas", 30522);
  if (cls == "TapasModel") return {tapas_model(s, c, true), {}};
  auto root = make(std::string(cls));
  if (cls == "TapasForMaskedLM") {
    root->add("tapas", tapas_model(s, c, false));
    auto t = make("TapasPredictionHeadTransform");
    t->add("dense", linear(s.hidden, s.hidden));
    t->add("transform_act_fn", leaf(act_class(s.act)));
    t->add("LayerNorm", layer_norm(s.hidden));
    auto p = make("TapasLMPredictionHead");
    p->add("transform", t);
    if (heads::ties_embeddings(c)) {
      auto dec = make("Linear");
      dec->tie("weight", {s.vocab, s.hidden}, "tapas.embeddings.word_embeddings.weight");
      dec->tie("bias", {s.vocab}, "cls.predictions.bias");
      p->add("decoder", dec);
    } else {
      p->add("decoder", linear(s.hidden, s.vocab));
    }
    p->param("bias", {s.vocab});
    auto h = make("TapasOnlyMLMHead");
    h->add("predictions", p);
    root->add("cls", h);
  } else if (cls == "TapasForQuestionAnswering") {
    root->add("tapas", tapas_model(s, c, true));
    root->add("dropout", leaf("Dropout"));
    root->param("output_weights", {s.hidden});
    root->param("column_output_weights", {s.hidden});
    root->param("output_bias", {});
    root->param("column_output_bias", {});
    if (const int64_t agg = c.i("num_aggregation_labels", 0); agg > 0)
      root->add("aggregation_classifier", linear(s.hidden, agg));
  } else if (cls == "TapasForSequenceClassification") {
    root->add("tapas", tapas_model(s, c, true));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"tapas"}, "Tapas", build, "", "TapasForMaskedLM");

}  // namespace
