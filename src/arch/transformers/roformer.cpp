// RoFormer (modeling_roformer.py): BERT's layers under the RoFormer prefix (rotary positions are computed, not
// learned): RoFormerEmbeddings holds word and token-type tables of embedding_size (no positions, no buffers), an
// embeddings_project Linear when embedding_size != hidden_size, and the encoder a frozen sinusoidal table
// embed_positions [max_position_embeddings, head_dim] (an nn.Embedding: a parameter) before layer.N.
// No _no_split_modules.
#include "arch/transformers/bert.h"

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

struct Shape {
  bert::BertShape s;
  int64_t emb;
};

// RoFormerLayer: BertLayer's tree, plus crossattention (a second RoFormerAttention) for decoders that ask for it.
ModulePtr layer(const bert::BertShape& s, bool cross) {
  auto l = bert::layer(s);
  if (cross) {
    auto& kids = l->children;
    kids.insert(kids.begin() + 1, {"crossattention", bert::layer(s)->child("attention")});
  }
  return l;
}

ModulePtr model(const Shape& sh, const Config& c) {
  const auto& s = sh.s;
  auto m = make("RoFormerModel");
  auto e = make("RoFormerEmbeddings");
  e->add("word_embeddings", embedding(s.vocab, sh.emb));
  e->add("token_type_embeddings", embedding(s.type_vocab, sh.emb));
  e->add("LayerNorm", layer_norm(sh.emb));
  e->add("dropout", leaf("Dropout"));
  m->add("embeddings", e);
  if (sh.emb != s.hidden) m->add("embeddings_project", linear(sh.emb, s.hidden));
  const bool cross = c.b("add_cross_attention", false);
  if (cross && !c.b("is_decoder", false))
    throw ConfigError("RoFormerLayer should be used as a decoder model if cross attention is added");
  auto enc = make("RoFormerEncoder");
  enc->add("embed_positions", embedding(s.max_pos, s.hidden / s.heads, "RoFormerSinusoidalPositionalEmbedding"));
  enc->add("layer", repeat(layer(s, cross), s.layers));
  m->add("encoder", enc);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Shape sh{bert::read(c, "RoFormer", 50000), 0};
  sh.emb = c.has("embedding_size") ? c.i("embedding_size", 768) : sh.s.hidden;  // None -> hidden_size
  const auto& s = sh.s;
  if (cls == "RoFormerModel") return {model(sh, c), {}};
  auto root = make(std::string(cls));
  root->add("roformer", model(sh, c));
  const int64_t labels = heads::num_labels(c);
  if (cls == "RoFormerForMaskedLM" || cls == "RoFormerForCausalLM") {
    // RoFormerOnlyMLMHead: predictions (transform: dense hidden -> embedding_size, act, LayerNorm; decoder tied to
    // the word embeddings, its bias to predictions.bias; bias).
    auto t = make("RoFormerPredictionHeadTransform");
    t->add("dense", linear(s.hidden, sh.emb));
    t->add("transform_act_fn", leaf(act_class(s.act)));
    t->add("LayerNorm", layer_norm(sh.emb));
    auto p = make("RoFormerLMPredictionHead");
    p->add("transform", t);
    if (heads::ties_embeddings(c)) {
      auto dec = make("Linear");
      dec->tie("weight", {s.vocab, sh.emb}, "roformer.embeddings.word_embeddings.weight");
      dec->tie("bias", {s.vocab}, "cls.predictions.bias");
      p->add("decoder", dec);
    } else {
      p->add("decoder", linear(sh.emb, s.vocab));
    }
    p->param("bias", {s.vocab});
    auto h = make("RoFormerOnlyMLMHead");
    h->add("predictions", p);
    root->add("cls", h);
  } else if (cls == "RoFormerForSequenceClassification") {
    auto h = make("RoFormerClassificationHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.hidden, labels));
    root->add("classifier", h);
  } else if (cls == "RoFormerForMultipleChoice") {
    // RoFormerSequenceSummary: a summary Linear only when the config sets summary_use_proj (RoFormerConfig has none).
    auto sum = make("RoFormerSequenceSummary");
    if (c.has("summary_use_proj") && c.b("summary_use_proj", false))
      sum->add("summary", linear(s.hidden, c.b("summary_proj_to_labels", false) && labels > 0 ? labels : s.hidden));
    else
      sum->add("summary", leaf("Identity"));
    root->add("sequence_summary", sum);
    root->add("classifier", linear(s.hidden, 1));
  } else if (cls == "RoFormerForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, labels));
  } else if (cls == "RoFormerForQuestionAnswering") {
    root->add("qa_outputs", linear(s.hidden, labels));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"roformer"}, "RoFormer", build);

}  // namespace
