// RoBERTa-PreLayerNorm (modeling_roberta_prelayernorm.py): RoBERTa's tree with the LayerNorms moved in front of the
// sublayers: Attention holds self, output (dense only) and LayerNorm; Intermediate opens with LayerNorm; Output is
// dense only; the model closes with a LayerNorm before the pooler. Heads as RoBERTa's (lm_head, classifier).
#include "arch/transformers/bert.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;
const std::string kP = "RobertaPreLayerNorm";

// RobertaPreLayerNormAttention: self (query/key/value) or crossattention's, output (dense), LayerNorm.
ModulePtr attention(const bert::BertShape& s, bool cross) {
  auto self = make(kP + (cross ? "CrossAttention" : "SelfAttention"));
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(s.hidden, s.hidden));
  self->add("dropout", leaf("Dropout"));
  auto out = make(kP + "SelfOutput");
  out->add("dense", linear(s.hidden, s.hidden));
  out->add("dropout", leaf("Dropout"));
  auto a = make(kP + "Attention");
  a->add("self", self);
  a->add("output", out);
  a->add("LayerNorm", layer_norm(s.hidden));
  return a;
}

// RobertaPreLayerNormLayer: attention, crossattention (decoders with add_cross_attention), intermediate, output.
ModulePtr layer(const bert::BertShape& s, bool cross) {
  auto l = make(kP + "Layer");
  l->add("attention", attention(s, false));
  if (cross) l->add("crossattention", attention(s, true));
  auto inter = make(kP + "Intermediate");
  inter->add("LayerNorm", layer_norm(s.hidden));
  inter->add("dense", linear(s.hidden, s.inter));
  inter->add("intermediate_act_fn", leaf(act_class(s.act)));
  l->add("intermediate", inter);
  auto out = make(kP + "Output");
  out->add("dense", linear(s.inter, s.hidden));
  out->add("dropout", leaf("Dropout"));
  l->add("output", out);
  return l;
}

// RobertaPreLayerNormModel: embeddings (RoBERTa's), encoder.layer.N, LayerNorm, optional pooler.
ModulePtr model(const bert::BertShape& s, const Config& c, bool pooler) {
  auto m = make(kP + "Model");
  m->add("embeddings", bert::embeddings(s, true, c));
  const bool cross = c.b("add_cross_attention", false);
  if (cross && !c.b("is_decoder", false))
    throw ConfigError("RobertaPreLayerNormLayer should be used as a decoder model if cross attention is added");
  auto enc = make(kP + "Encoder");
  enc->add("layer", repeat(layer(s, cross), s.layers));
  m->add("encoder", enc);
  m->add("LayerNorm", layer_norm(s.hidden));
  if (pooler) {
    auto p = make(kP + "Pooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const auto s = bert::read(c, kP, 50265);
  const std::string base = "roberta_prelayernorm";
  const std::vector<std::string> no_split{kP + "Embeddings", kP + "SelfAttention", kP + "CrossAttention"};
  const std::string head(cls.substr(std::min(cls.size(), kP.size())));
  if (head == "Model") return {model(s, c, true), no_split};
  auto root = make(std::string(cls));
  const int64_t labels = heads::num_labels(c);
  if (head == "ForMaskedLM" || head == "ForCausalLM") {
    root->add(base, model(s, c, false));
    auto h = make(kP + "LMHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("layer_norm", layer_norm(s.hidden));
    h->param("bias", {s.vocab});
    if (heads::ties_embeddings(c)) {  // decoder.weight -> the word embeddings, decoder.bias -> lm_head.bias
      auto dec = make("Linear");
      dec->tie("weight", {s.vocab, s.hidden}, base + ".embeddings.word_embeddings.weight");
      dec->tie("bias", {s.vocab}, "lm_head.bias");
      h->add("decoder", dec);
    } else {
      h->add("decoder", linear(s.hidden, s.vocab));
    }
    root->add("lm_head", h);
  } else if (head == "ForSequenceClassification") {
    root->add(base, model(s, c, false));
    auto h = make(kP + "ClassificationHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.hidden, labels));
    root->add("classifier", h);
  } else if (head == "ForMultipleChoice") {
    root->add(base, model(s, c, true));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, 1));
  } else if (head == "ForTokenClassification") {
    root->add(base, model(s, c, false));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, labels));
  } else if (head == "ForQuestionAnswering") {
    root->add(base, model(s, c, false));
    root->add("qa_outputs", linear(s.hidden, labels));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"roberta-prelayernorm"}, "RobertaPreLayerNorm", build, "", "RobertaPreLayerNormForMaskedLM");

}  // namespace
