// BERT and its direct descendants (RoBERTa, XLM-RoBERTa): transformers' modeling_bert.py / modeling_roberta.py.
#include "arch/transformers/bert.h"

#include <algorithm>

#include <fmt/format.h>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
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

ModulePtr layer_with(const std::string& p, ModulePtr self, int64_t hidden, int64_t inter_dim, const std::string& act) {
  auto self_out = make(p + "SelfOutput");
  self_out->add("dense", linear(hidden, hidden));
  self_out->add("LayerNorm", layer_norm(hidden));
  self_out->add("dropout", leaf("Dropout"));
  auto attention = make(p + "Attention");
  attention->add("self", self);
  attention->add("output", self_out);

  auto inter = make(p + "Intermediate");
  inter->add("dense", linear(hidden, inter_dim));
  inter->add("intermediate_act_fn", leaf(act_class(act)));
  auto out = make(p + "Output");
  out->add("dense", linear(inter_dim, hidden));
  out->add("LayerNorm", layer_norm(hidden));
  out->add("dropout", leaf("Dropout"));

  auto l = make(p + "Layer");
  l->add("attention", attention);
  l->add("intermediate", inter);
  l->add("output", out);
  return l;
}

ModulePtr layer(const BertShape& s) {
  const std::string& p = s.prefix;
  auto self = make(p + "SelfAttention");
  self->add("query", linear(s.hidden, s.hidden));
  self->add("key", linear(s.hidden, s.hidden));
  self->add("value", linear(s.hidden, s.hidden));
  self->add("dropout", leaf("Dropout"));
  return layer_with(p, self, s.hidden, s.inter, s.act);
}

// BertEmbeddings: word, position, token-type embeddings, LayerNorm, and two int64 id buffers.
// RobertaEmbeddings registers position_embeddings last; ErnieEmbeddings adds task_type_embeddings when use_task_id.
ModulePtr embeddings(const BertShape& s, bool roberta, const Config& c) {
  auto m = make(s.prefix + "Embeddings");
  m->add("word_embeddings", embedding(s.vocab, s.hidden));
  if (!roberta) m->add("position_embeddings", embedding(s.max_pos, s.hidden));
  m->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  m->add("LayerNorm", layer_norm(s.hidden));
  m->add("dropout", leaf("Dropout"));
  m->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  m->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  if (roberta) m->add("position_embeddings", embedding(s.max_pos, s.hidden));
  if (c.b("use_task_id", false)) m->add("task_type_embeddings", embedding(c.i("task_type_vocab_size", 3), s.hidden));
  return m;
}

}  // namespace bert

namespace {
using namespace blocks;
using namespace bert;

// How a BERT-shaped family differs: its class prefix, the attribute its heads hold the model under, and where its
// embeddings register position_embeddings.
struct Variant {
  std::string prefix;     // "Bert", "Roberta", "Data2VecText", "Ernie"
  int64_t vocab_default;  // the config class's vocab_size default
  std::string base;       // "bert", "roberta", "data2vec_text", "ernie"
  bool roberta_style;     // position_embeddings registered last (RobertaEmbeddings), heads as RoBERTa's
  bool bigbird = false;   // BigBird: the pooler is a bare Linear (+ a model-level Tanh), no _no_split_modules
  bool split_embeddings = false;  // _no_split_modules lists only <P>Layer (ERNIE)
  bool heads_first = false;       // the task heads register their modules before the model (CamemBERT)
};

// BertModel: embeddings, encoder.layer.N, optional pooler.
ModulePtr bert_model(const BertShape& s, bool roberta, const Config& c, bool pooler, bool bigbird) {
  auto m = make(s.prefix + "Model");
  m->add("embeddings", embeddings(s, roberta, c));
  auto enc = make(s.prefix + "Encoder");
  enc->add("layer", repeat(layer(s), s.layers));
  m->add("encoder", enc);
  if (pooler && bigbird) {
    m->add("pooler", linear(s.hidden, s.hidden));
    m->add("activation", leaf("Tanh"));
  } else if (pooler) {
    auto p = make(s.prefix + "Pooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

}  // namespace

ModulePtr bert::model(const BertShape& s, bool roberta, const Config& c, bool pooler) {
  return bert_model(s, roberta, c, pooler, false);
}

namespace {

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

Model build(const Config& c, std::string_view cls, const Variant& v) {
  const std::string& prefix = v.prefix;
  BertShape s = read(c, prefix, v.vocab_default);
  std::vector<std::string> no_split{prefix + "Embeddings", prefix + "Layer"};
  if (v.bigbird) no_split.clear();
  if (v.split_embeddings) no_split = {prefix + "Layer"};
  const std::string& base = v.base;
  const std::string head = std::string(cls.substr(std::min(cls.size(), prefix.size())));
  auto bert_model = [&](const BertShape& s, bool pooler) {
    return memfit::bert_model(s, v.roberta_style, c, pooler, v.bigbird);
  };
  if (head == "Model") return {bert_model(s, true), no_split};

  auto root = make(std::string(cls));
  if (head == "ForMaskedLM" || head == "ForCausalLM" || head == "LMHeadModel") {
    root->add(base, bert_model(s, false));
    if (!v.roberta_style) {
      auto mlm = make("BertOnlyMLMHead");
      mlm->add("predictions", bert_lm_head(s, base));
      root->add("cls", mlm);
    } else {
      root->add("lm_head", roberta_lm_head(s, base));
    }
  } else if (head == "ForPreTraining" && !v.roberta_style) {
    root->add(base, bert_model(s, true));
    auto h = make("BertPreTrainingHeads");
    h->add("predictions", bert_lm_head(s, base));
    h->add("seq_relationship", linear(s.hidden, 2));
    root->add("cls", h);
  } else if (head == "ForSequenceClassification" && !v.roberta_style) {
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
    root->add("qa_outputs", linear(s.hidden, heads::num_labels(c)));
  } else if (head == "ForMultipleChoice") {
    // <P>ForMultipleChoice: the model with its pooler, dropout, one score per choice.
    root->add(base, bert_model(s, true));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, 1));
  } else if (head == "ForNextSentencePrediction" && !v.roberta_style) {
    root->add(base, bert_model(s, true));
    auto h = make("BertOnlyNSPHead");
    h->add("seq_relationship", linear(s.hidden, 2));
    root->add("cls", h);
  } else {
    heads::unsupported(cls);
  }
  if (v.heads_first) {  // e.g. CamembertForMaskedLM: lm_head, then roberta
    std::rotate(root->children.begin(), root->children.begin() + 1, root->children.end());
    // The decoder now comes first, so the shared word embedding is named (and sized) there, as PyTorch dedupes it.
    if (auto lm = root->child("lm_head")) {
      lm->child("decoder")->params[0].second.tied_to.clear();
      auto word = root->child(base)->child("embeddings")->child("word_embeddings");
      word->params[0].second.tied_to = "lm_head.decoder.weight";
    }
  }
  return {root, no_split};
}

// DPR (modeling_dpr.py): DPRQuestionEncoder / DPRContextEncoder hold a DPREncoder: bert_model (a BertModel without
// pooler) and encode_proj when projection_dim > 0.
Model dpr(const Config& c, std::string_view cls) {
  const std::string attr = cls == "DPRQuestionEncoder" ? "question_encoder" : cls == "DPRContextEncoder" ? "ctx_encoder" : "";
  if (attr.empty()) heads::unsupported(cls);
  BertShape s = read(c, "Bert", 30522);
  auto enc = make("DPREncoder");
  enc->add("bert_model", bert_model(s, false, c, false, false));
  if (int64_t p = c.i("projection_dim", 0); p > 0) enc->add("encode_proj", linear(s.hidden, p));
  auto root = make(std::string(cls));
  root->add(attr, enc);
  return {root, {"BertEmbeddings", "BertLayer"}};
}
MEMFIT_FAMILY({"dpr"}, "DPR", dpr, "DPRQuestionEncoder");

// Registers a BERT-shaped family.
#define MEMFIT_BERT_FAMILY(type, prefix, ...)                                                      \
  MEMFIT_FAMILY({type}, prefix,                                                                  \
                [](const Config& c, std::string_view cls) { return build(c, cls, Variant{prefix, __VA_ARGS__}); })

MEMFIT_BERT_FAMILY("bert", "Bert", 30522, "bert", false);
MEMFIT_BERT_FAMILY("roberta", "Roberta", 50265, "roberta", true);
MEMFIT_BERT_FAMILY("xlm-roberta", "XLMRoberta", 30522, "roberta", true);
// Data2VecText (modeling_data2vec_text.py): RoBERTa's tree under the data2vec_text attribute.
MEMFIT_BERT_FAMILY("data2vec-text", "Data2VecText", 30522, "data2vec_text", true);
// ERNIE 1-3 (modeling_ernie.py): BERT's tree, plus task_type_embeddings when use_task_id.
MEMFIT_BERT_FAMILY("ernie", "Ernie", 30522, "ernie", false, false, true);
// BigBird (modeling_big_bird.py): BERT's tree (block-sparse attention holds the same q/k/v), a bare Linear pooler.
MEMFIT_BERT_FAMILY("big_bird", "BigBird", 50358, "bert", false, true);
// CamemBERT (modeling_camembert.py): RoBERTa's tree; its task heads register before the `roberta` model.
// AutoModelForPreTraining's class (the task model of a config without `architectures`) is the masked LM.
MEMFIT_FAMILY({"camembert"}, "Camembert", [](const Config& c, std::string_view cls) {
  return build(c, cls, Variant{"Camembert", 30522, "roberta", true, false, false, true});
}, "", "CamembertForMaskedLM");

}  // namespace
}  // namespace memfit
