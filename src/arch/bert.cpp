// BERT and its direct descendants (RoBERTa, XLM-RoBERTa): transformers' modeling_bert.py / modeling_roberta.py.
#include "arch/bert.h"

#include <fmt/format.h>

#include "arch/blocks.h"
#include "arch/heads.h"
#include "arch/registry.h"

namespace memfit {

namespace bert {
using namespace blocks;

BertShape read(const Config& c, std::string prefix, int64_t vocab_default) {
  // BertSelfAttention's check: the hidden size must split evenly over the heads (Python's `%`: 0 heads raise, and a
  // negative divisor such as -1 passes, giving the same layer sizes as a positive one). ElectraConfig always has an
  // embedding_size, which turns the check off.
  const int64_t hidden = c.i("hidden_size", 768), heads = c.i("num_attention_heads", 12);
  if (heads == 0 || (heads != -1 && hidden % heads != 0 && !c.has("embedding_size") && prefix != "Electra"))
    throw ConfigError(fmt::format("The hidden size ({}) is not a multiple of the number of attention heads ({}) "
                                  "(model_type `{}`)",
                                  hidden, heads, c.model_type()));
  return {prefix,
          c.i("vocab_size", vocab_default),
          c.i("hidden_size", 768),
          c.i("num_hidden_layers", 12),
          c.i("num_attention_heads", 12),
          c.i("intermediate_size", 3072),
          c.i("max_position_embeddings", 512),
          c.i("type_vocab_size", 2),
          c.s("hidden_act", "gelu")};
}

ModulePtr layer(const BertShape& s) {
  const std::string& p = s.prefix;
  auto self = make(p + "SelfAttention");
  self->add("query", linear(s.hidden, s.hidden));
  self->add("key", linear(s.hidden, s.hidden));
  self->add("value", linear(s.hidden, s.hidden));
  self->add("dropout", leaf("Dropout"));
  auto self_out = make(p + "SelfOutput");
  self_out->add("dense", linear(s.hidden, s.hidden));
  self_out->add("LayerNorm", layer_norm(s.hidden));
  self_out->add("dropout", leaf("Dropout"));
  auto attention = make(p + "Attention");
  attention->add("self", self);
  attention->add("output", self_out);

  auto inter = make(p + "Intermediate");
  inter->add("dense", linear(s.hidden, s.inter));
  inter->add("intermediate_act_fn", leaf(act_class(s.act)));
  auto out = make(p + "Output");
  out->add("dense", linear(s.inter, s.hidden));
  out->add("LayerNorm", layer_norm(s.hidden));
  out->add("dropout", leaf("Dropout"));

  auto l = make(p + "Layer");
  l->add("attention", attention);
  l->add("intermediate", inter);
  l->add("output", out);
  return l;
}

}  // namespace bert

namespace {
using namespace blocks;
using namespace bert;

// BertEmbeddings: word, position, token-type embeddings, LayerNorm, and two int64 id buffers.
// RobertaEmbeddings registers position_embeddings last.
ModulePtr embeddings(const BertShape& s) {
  auto m = make(s.prefix + "Embeddings");
  m->add("word_embeddings", embedding(s.vocab, s.hidden));
  bool roberta = s.prefix != "Bert";
  if (!roberta) m->add("position_embeddings", embedding(s.max_pos, s.hidden));
  m->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  m->add("LayerNorm", layer_norm(s.hidden));
  m->add("dropout", leaf("Dropout"));
  m->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  m->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  if (roberta) m->add("position_embeddings", embedding(s.max_pos, s.hidden));
  return m;
}

// BertModel: embeddings, encoder.layer.N, optional pooler.
ModulePtr bert_model(const BertShape& s, bool pooler) {
  auto m = make(s.prefix + "Model");
  m->add("embeddings", embeddings(s));
  auto enc = make(s.prefix + "Encoder");
  enc->add("layer", repeat(layer(s), s.layers));
  m->add("encoder", enc);
  if (pooler) {
    auto p = make(s.prefix + "Pooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

// BertPredictionHeadTransform + decoder tied to the word embeddings (BertLMPredictionHead).
ModulePtr bert_lm_head(const BertShape& s, const std::string& base) {
  auto transform = make("BertPredictionHeadTransform");
  transform->add("dense", linear(s.hidden, s.hidden));
  transform->add("transform_act_fn", leaf(act_class(s.act)));
  transform->add("LayerNorm", layer_norm(s.hidden));
  auto pred = make("BertLMPredictionHead");
  pred->add("transform", transform);
  pred->param("bias", {s.vocab});
  auto dec = make("Linear");
  dec->tie("weight", {s.vocab, s.hidden}, base + ".embeddings.word_embeddings.weight");
  dec->tie("bias", {s.vocab}, "cls.predictions.bias");
  pred->add("decoder", dec);
  return pred;
}

// RobertaLMHead: dense, layer_norm, decoder (tied), bias.
ModulePtr roberta_lm_head(const BertShape& s, const std::string& base) {
  auto h = make(s.prefix + "LMHead");
  h->add("dense", linear(s.hidden, s.hidden));
  h->add("layer_norm", layer_norm(s.hidden));
  h->param("bias", {s.vocab});
  auto dec = make("Linear");
  dec->tie("weight", {s.vocab, s.hidden}, base + ".embeddings.word_embeddings.weight");
  dec->tie("bias", {s.vocab}, "lm_head.bias");
  h->add("decoder", dec);
  return h;
}

Model build(const Config& c, std::string_view cls, std::string prefix, int64_t vocab_default) {
  BertShape s = read(c, prefix, vocab_default);
  std::vector<std::string> no_split{prefix + "Embeddings", prefix + "Layer"};
  const std::string base = prefix == "Bert" ? "bert" : "roberta";
  const std::string head = std::string(cls.substr(std::min(cls.size(), prefix.size())));
  if (head == "Model") return {bert_model(s, true), no_split};

  auto root = make(std::string(cls));
  if (head == "ForMaskedLM" || head == "ForCausalLM" || head == "LMHeadModel") {
    root->add(base, bert_model(s, false));
    if (prefix == "Bert") {
      auto mlm = make("BertOnlyMLMHead");
      mlm->add("predictions", bert_lm_head(s, base));
      root->add("cls", mlm);
    } else {
      root->add("lm_head", roberta_lm_head(s, base));
    }
  } else if (head == "ForPreTraining" && prefix == "Bert") {
    root->add(base, bert_model(s, true));
    auto h = make("BertPreTrainingHeads");
    h->add("predictions", bert_lm_head(s, base));
    h->add("seq_relationship", linear(s.hidden, 2));
    root->add("cls", h);
  } else if (head == "ForSequenceClassification" && prefix == "Bert") {
    root->add(base, bert_model(s, true));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, heads::num_labels(c)));
  } else if (head == "ForSequenceClassification") {
    root->add(base, bert_model(s, false));
    auto h = make(prefix + "ClassificationHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.hidden, heads::num_labels(c)));
    root->add("classifier", h);
  } else if (head == "ForTokenClassification") {
    root->add(base, bert_model(s, false));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, heads::num_labels(c)));
  } else if (head == "ForQuestionAnswering") {
    root->add(base, bert_model(s, false));
    root->add("qa_outputs", linear(s.hidden, 2));
  } else if (head == "ForMultipleChoice") {
    // <P>ForMultipleChoice: the model with its pooler, dropout, one score per choice.
    root->add(base, bert_model(s, true));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, 1));
  } else if (head == "ForNextSentencePrediction" && prefix == "Bert") {
    root->add(base, bert_model(s, true));
    auto h = make("BertOnlyNSPHead");
    h->add("seq_relationship", linear(s.hidden, 2));
    root->add("cls", h);
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"bert"}, "Bert", [](const Config& c, std::string_view cls) { return build(c, cls, "Bert", 30522); });
MEMFIT_FAMILY({"roberta"}, "Roberta",
              [](const Config& c, std::string_view cls) { return build(c, cls, "Roberta", 50265); });
MEMFIT_FAMILY({"xlm-roberta"}, "XLMRoberta",
              [](const Config& c, std::string_view cls) { return build(c, cls, "XLMRoberta", 30522); });

}  // namespace
}  // namespace memfit
