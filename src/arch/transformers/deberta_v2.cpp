// DeBERTa-v2/v3: transformers' modeling_deberta_v2.py. BERT-shaped layers with disentangled attention
// (query/key/value_proj, optional pos_key/pos_query_proj), shared relative position embeddings in the encoder,
// an optional ConvLayer, and the legacy (cls.predictions) or new (lm_predictions) MLM head.
#include "arch/transformers/deberta_v2.h"

#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/bert.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace {
using namespace blocks;

std::vector<std::string> pos_att_type(const Config& c) {
  const Json& j = c.raw();
  auto it = j.find("pos_att_type");
  if (it == j.end() || it->is_null()) return {};
  if (it->is_array()) return c.strings("pos_att_type");
  std::vector<std::string> out;
  std::string s = c.s("pos_att_type", "");
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  for (size_t start = 0; start <= s.size();) {
    size_t bar = s.find('|', start);
    std::string part = s.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    part.erase(0, part.find_first_not_of(' '));
    part.erase(part.find_last_not_of(' ') + 1);
    out.push_back(part);
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return out;
}

}  // namespace

namespace deberta {
using namespace blocks;

ModulePtr v2_encoder(const Config& c, const Shape& s, const std::string& p) {
  bool relative = c.b("relative_attention", false);
  int64_t max_rel = c.i("max_relative_positions", -1);
  if (max_rel < 1) max_rel = s.max_pos;
  int64_t buckets = c.i("position_buckets", -1);

  auto self = make("DisentangledSelfAttention");
  self->add("query_proj", linear(s.hidden, s.all_head));
  self->add("key_proj", linear(s.hidden, s.all_head));
  self->add("value_proj", linear(s.hidden, s.all_head));
  if (relative) {
    self->add("pos_dropout", leaf("Dropout"));
    if (!c.b("share_att_key", false)) {
      auto types = pos_att_type(c);
      auto has = [&](const char* t) { return std::find(types.begin(), types.end(), t) != types.end(); };
      if (has("c2p")) self->add("pos_key_proj", linear(s.hidden, s.all_head));
      if (has("p2c")) self->add("pos_query_proj", linear(s.hidden, s.all_head));
    }
  }
  self->add("dropout", leaf("Dropout"));
  auto layer = bert::layer_with(p, self, s.hidden, s.inter, s.act);

  auto enc = make(p == "SEWD" ? "SEWDTransformerEncoder" : p + "Encoder");
  enc->add("layer", repeat(layer, s.layers));
  if (relative) enc->add("rel_embeddings", embedding(buckets > 0 ? buckets * 2 : max_rel * 2, s.hidden));
  std::string norm_rel = c.s("norm_rel_ebd", "none");
  std::transform(norm_rel.begin(), norm_rel.end(), norm_rel.begin(), [](unsigned char ch) { return std::tolower(ch); });
  if (norm_rel.find("layer_norm") != std::string::npos) enc->add("LayerNorm", layer_norm(s.hidden));
  int64_t kernel = c.i("conv_kernel_size", 0);
  if (kernel > 0) {
    int64_t groups = c.i("conv_groups", 1);
    if (groups <= 0 || s.hidden % groups) throw ConfigError("conv_groups must divide hidden_size");
    auto conv = make("ConvLayer");
    auto k = make("Conv1d");
    k->param("weight", {s.hidden, s.hidden / groups, kernel});
    k->param("bias", {s.hidden});
    conv->add("conv", k);
    conv->add("LayerNorm", layer_norm(s.hidden));
    conv->add("dropout", leaf("Dropout"));
    enc->add("conv", conv);
  }
  return enc;
}

}  // namespace deberta

namespace {
using deberta::Shape;

ModulePtr deberta_model(const Config& c, const Shape& s) {
  auto emb = make("DebertaV2Embeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.emb));
  if (c.b("position_biased_input", true)) emb->add("position_embeddings", embedding(s.max_pos, s.emb));
  if (s.type_vocab > 0) emb->add("token_type_embeddings", embedding(s.type_vocab, s.emb));
  if (s.emb != s.hidden) emb->add("embed_proj", linear(s.emb, s.hidden, false));
  emb->add("LayerNorm", layer_norm(s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);

  auto m = make("DebertaV2Model");
  m->add("embeddings", emb);
  m->add("encoder", deberta::v2_encoder(c, s, "DebertaV2"));
  return m;
}

ModulePtr context_pooler(const Config& c, int64_t hidden) {
  int64_t p = c.i("pooler_hidden_size", hidden);
  auto m = make("ContextPooler");
  m->add("dense", linear(p, p));
  m->add("dropout", leaf("Dropout"));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t hidden = c.i("hidden_size", 1536), heads_n = c.i("num_attention_heads", 24);
  if (heads_n <= 0) throw ConfigError("num_attention_heads must be positive");
  Shape s{c.i("vocab_size", 128100), hidden, c.i("embedding_size", hidden),
                 seq2seq::count(c, "num_hidden_layers", 24), heads_n * c.i("attention_head_size", hidden / heads_n),
                 c.i("intermediate_size", 6144), c.i("max_position_embeddings", 512), c.i("type_vocab_size", 0),
                 c.s("hidden_act", "gelu")};
  if (cls == "DebertaV2Model") return {deberta_model(c, s), {}};
  auto root = make(std::string(cls));
  root->add("deberta", deberta_model(c, s));
  if (cls == "DebertaV2ForMaskedLM") {
    if (c.b("legacy", true)) {
      auto transform = make("LegacyDebertaV2PredictionHeadTransform");
      transform->add("dense", linear(s.hidden, s.emb));
      transform->add("transform_act_fn", leaf(act_class(s.act)));
      transform->add("LayerNorm", layer_norm(s.emb));
      auto pred = make("LegacyDebertaV2LMPredictionHead");
      pred->add("transform", transform);
      if (heads::ties_embeddings(c, true)) {
        auto dec = make("Linear");
        dec->tie("weight", {s.vocab, s.emb}, "deberta.embeddings.word_embeddings.weight");
        dec->tie("bias", {s.vocab}, "cls.predictions.bias");
        pred->add("decoder", dec);
      } else {
        pred->add("decoder", linear(s.emb, s.vocab));
      }
      pred->param("bias", {s.vocab});
      auto head = make("LegacyDebertaV2OnlyMLMHead");
      head->add("predictions", pred);
      root->add("cls", head);
    } else {
      auto lm = make("DebertaV2LMPredictionHead");
      lm->add("dense", linear(s.hidden, s.hidden));
      lm->add("transform_act_fn", leaf(act_class(s.act)));
      lm->add("LayerNorm", layer_norm(s.hidden));
      lm->param("bias", {s.vocab});
      auto head = make("DebertaV2OnlyMLMHead");
      head->add("lm_head", lm);
      root->add("lm_predictions", head);
    }
  } else if (cls == "DebertaV2ForSequenceClassification" || cls == "DebertaV2ForMultipleChoice") {
    root->add("pooler", context_pooler(c, s.hidden));
    root->add("classifier", linear(s.hidden, cls == "DebertaV2ForMultipleChoice" ? 1 : heads::num_labels(c)));
    root->add("dropout", leaf("Dropout"));
  } else if (cls == "DebertaV2ForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, heads::num_labels(c)));
  } else if (cls == "DebertaV2ForQuestionAnswering") {
    root->add("qa_outputs", linear(s.hidden, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"deberta-v2"}, "DebertaV2", build, "", "DebertaV2ForMaskedLM");

}  // namespace
}  // namespace memfit
