// ConvBERT (modeling_convbert.py): BERT's layer skeleton whose self-attention mixes heads with span-based dynamic
// convolution: head_ratio cuts the attention heads (num_attention_heads // head_ratio, at least 1), each of
// (hidden / heads) / 2; ConvBertSelfAttention holds query/key/value to that width, key_conv_attn_layer (a
// SeparableConv1D: depthwise Conv1d, pointwise Conv1d, bias [out, 1]), conv_kernel_layer and conv_out_layer.
// Intermediate and Output become GroupedLinearLayers when num_groups > 1. Embeddings of embedding_size (+ an
// embeddings_project when it differs from hidden); no pooler; no _no_split_modules.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

struct Shape {
  int64_t vocab, emb, hidden, layers, heads, head_ratio, inter, max_pos, type_vocab, kernel, groups;
  std::string act;
};

ModulePtr conv1d(int64_t in, int64_t out, int64_t k, int64_t groups) {
  auto m = make("Conv1d");
  m->param("weight", {out, in / groups, k});
  return m;
}

// nn.Linear, or GroupedLinearLayer: weight [groups, in / groups, out / groups], bias [out].
ModulePtr dense(const Shape& s, int64_t in, int64_t out) {
  if (s.groups == 1) return linear(in, out);
  if (s.groups <= 0 || in % s.groups || out % s.groups) throw ConfigError("num_groups must divide the layer widths");
  auto m = make("GroupedLinearLayer");
  m->param("weight", {s.groups, in / s.groups, out / s.groups});
  m->param("bias", {out});
  return m;
}

// ConvBertAttention: self (ConvBertSelfAttention) and output (dense, LayerNorm).
ModulePtr attention_block(const Shape& s) {
  int64_t heads = s.heads / s.head_ratio;
  if (heads < 1) heads = 1;
  if (s.hidden % heads != 0) throw ConfigError("hidden_size should be divisible by num_attention_heads");
  const int64_t all = heads * ((s.hidden / heads) / 2);
  auto self = make("ConvBertSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(s.hidden, all));
  auto sep = make("SeparableConv1D");
  sep->add("depthwise", conv1d(s.hidden, s.hidden, s.kernel, s.hidden));
  sep->add("pointwise", conv1d(s.hidden, all, 1, 1));
  sep->param("bias", {all, 1});
  self->add("key_conv_attn_layer", sep);
  self->add("conv_kernel_layer", linear(all, heads * s.kernel));
  self->add("conv_out_layer", linear(s.hidden, all));
  self->add("unfold", leaf("Unfold"));
  self->add("dropout", leaf("Dropout"));
  auto out = make("ConvBertSelfOutput");
  out->add("dense", linear(s.hidden, s.hidden));
  out->add("LayerNorm", layer_norm(s.hidden));
  out->add("dropout", leaf("Dropout"));
  auto attention = make("ConvBertAttention");
  attention->add("self", self);
  attention->add("output", out);
  return attention;
}

ModulePtr layer(const Shape& s, const Config& c) {
  auto l = make("ConvBertLayer");
  l->add("attention", attention_block(s));
  if (c.b("add_cross_attention", false)) {
    if (!c.b("is_decoder", false))
      throw ConfigError("ConvBertLayer should be used as a decoder model if cross attention is added");
    l->add("crossattention", attention_block(s));
  }
  auto inter = make("ConvBertIntermediate");
  inter->add("dense", dense(s, s.hidden, s.inter));
  inter->add("intermediate_act_fn", leaf(act_class(s.act)));
  l->add("intermediate", inter);
  auto o = make("ConvBertOutput");
  o->add("dense", dense(s, s.inter, s.hidden));
  o->add("LayerNorm", layer_norm(s.hidden));
  o->add("dropout", leaf("Dropout"));
  l->add("output", o);
  return l;
}

ModulePtr model(const Shape& s, const Config& c) {
  auto e = make("ConvBertEmbeddings");
  e->add("word_embeddings", embedding(s.vocab, s.emb));
  e->add("position_embeddings", embedding(s.max_pos, s.emb));
  e->add("token_type_embeddings", embedding(s.type_vocab, s.emb));
  e->add("LayerNorm", layer_norm(s.emb));
  e->add("dropout", leaf("Dropout"));
  e->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  e->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  auto m = make("ConvBertModel");
  m->add("embeddings", e);
  if (s.emb != s.hidden) m->add("embeddings_project", linear(s.emb, s.hidden));
  auto enc = make("ConvBertEncoder");
  enc->add("layer", repeat(layer(s, c), s.layers));
  m->add("encoder", enc);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Shape s{c.i("vocab_size", 30522), c.i("embedding_size", 768), c.i("hidden_size", 768),
          c.i("num_hidden_layers", 12), c.i("num_attention_heads", 12), c.i("head_ratio", 2),
          c.i("intermediate_size", 3072), c.i("max_position_embeddings", 512), c.i("type_vocab_size", 2),
          c.i("conv_kernel_size", 9), c.i("num_groups", 1), c.s("hidden_act", "gelu")};
  if (s.heads <= 0 || s.head_ratio <= 0 || s.hidden <= 0)
    throw ConfigError("num_attention_heads, head_ratio and hidden_size must be positive (model_type `convbert`)");
  if (cls == "ConvBertModel") return {model(s, c), {}};
  auto root = make(std::string(cls));
  root->add("convbert", model(s, c));
  const int64_t labels = heads::num_labels(c);
  if (cls == "ConvBertForMaskedLM") {
    auto g = make("ConvBertGeneratorPredictions");
    g->add("activation", leaf("GELUActivation"));
    g->add("LayerNorm", layer_norm(s.emb));
    g->add("dense", linear(s.hidden, s.emb));
    root->add("generator_predictions", g);
    auto head = make("Linear");  // generator_lm_head: weight tied to the word embeddings, its own bias
    if (heads::ties_embeddings(c)) head->tie("weight", {s.vocab, s.emb}, "convbert.embeddings.word_embeddings.weight");
    else head->param("weight", {s.vocab, s.emb});
    head->param("bias", {s.vocab});
    root->add("generator_lm_head", head);
  } else if (cls == "ConvBertForSequenceClassification") {
    auto h = make("ConvBertClassificationHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.hidden, labels));
    root->add("classifier", h);
  } else if (cls == "ConvBertForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, labels));
  } else if (cls == "ConvBertForQuestionAnswering") {
    root->add("qa_outputs", linear(s.hidden, labels));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"convbert"}, "ConvBert", build);

}  // namespace
