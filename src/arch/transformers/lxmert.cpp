// LXMERT: transformers' modeling_lxmert.py. LxmertModel = embeddings (word, position and token-type tables with
// padding_idx 0, LayerNorm), encoder (visn_fc: Linear + LayerNorm over the object features and over the boxes; `layer`:
// l_layers BERT layers on language; x_layers cross-modality layers; r_layers BERT layers on vision) and a tanh pooler.
// Each cross layer holds a shared visual_attention (used both ways), lang/visn self-attention and lang/visn FFNs.
// LxmertForPreTraining adds the MLM / matching heads (decoder tied to the word embeddings by default), the visual
// object head (one Linear per visual loss) and the QA head; LxmertForQuestionAnswering only the QA head.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct Dims {
  int64_t h, inter;
  std::string act;
};

// LxmertAttention (query, key, value, dropout) + LxmertAttentionOutput (dense, LayerNorm, dropout), under `cls`
// with child names `inner` ("self" or "att") and "output".
ModulePtr attention_layer(const Dims& d, const std::string& cls, const std::string& inner) {
  auto a = make("LxmertAttention");
  a->add("query", linear(d.h, d.h));
  a->add("key", linear(d.h, d.h));
  a->add("value", linear(d.h, d.h));
  a->add("dropout", leaf("Dropout"));
  auto out = make("LxmertAttentionOutput");
  out->add("dense", linear(d.h, d.h));
  out->add("LayerNorm", layer_norm(d.h));
  out->add("dropout", leaf("Dropout"));
  auto l = make(cls);
  l->add(inner, a);
  l->add("output", out);
  return l;
}

ModulePtr intermediate(const Dims& d) {
  auto m = make("LxmertIntermediate");
  m->add("dense", linear(d.h, d.inter));
  m->add("intermediate_act_fn", leaf(d.act));
  return m;
}

ModulePtr output(const Dims& d) {
  auto m = make("LxmertOutput");
  m->add("dense", linear(d.inter, d.h));
  m->add("LayerNorm", layer_norm(d.h));
  m->add("dropout", leaf("Dropout"));
  return m;
}

// LxmertPredictionHeadTransform: dense, transform_act_fn, LayerNorm.
ModulePtr transform(const Dims& d) {
  auto m = make("LxmertPredictionHeadTransform");
  m->add("dense", linear(d.h, d.h));
  m->add("transform_act_fn", leaf(d.act));
  m->add("LayerNorm", layer_norm(d.h));
  return m;
}

ModulePtr lxmert_model(const Config& c, const Dims& d) {
  auto emb = make("LxmertEmbeddings");
  emb->add("word_embeddings", embedding(media::dim(c, "vocab_size", 30522), d.h));
  emb->add("position_embeddings", embedding(media::dim(c, "max_position_embeddings", 512), d.h));
  emb->add("token_type_embeddings", embedding(media::dim(c, "type_vocab_size", 2), d.h));
  emb->add("LayerNorm", layer_norm(d.h));
  emb->add("dropout", leaf("Dropout"));

  auto visn = make("LxmertVisualFeatureEncoder");
  visn->add("visn_fc", linear(media::dim(c, "visual_feat_dim", 2048), d.h));
  visn->add("visn_layer_norm", layer_norm(d.h));
  visn->add("box_fc", linear(media::dim(c, "visual_pos_dim", 4), d.h));
  visn->add("box_layer_norm", layer_norm(d.h));
  visn->add("dropout", leaf("Dropout"));

  auto bert_layer = make("LxmertLayer");
  bert_layer->add("attention", attention_layer(d, "LxmertSelfAttentionLayer", "self"));
  bert_layer->add("intermediate", intermediate(d));
  bert_layer->add("output", output(d));
  auto x = make("LxmertXLayer");
  x->add("visual_attention", attention_layer(d, "LxmertCrossAttentionLayer", "att"));
  x->add("lang_self_att", attention_layer(d, "LxmertSelfAttentionLayer", "self"));
  x->add("visn_self_att", attention_layer(d, "LxmertSelfAttentionLayer", "self"));
  x->add("lang_inter", intermediate(d));
  x->add("lang_output", output(d));
  x->add("visn_inter", intermediate(d));
  x->add("visn_output", output(d));

  auto enc = make("LxmertEncoder");
  enc->add("visn_fc", visn);
  enc->add("layer", repeat(bert_layer, media::count(c, "l_layers", 9)));
  enc->add("x_layers", repeat(x, media::count(c, "x_layers", 5)));
  enc->add("r_layers", repeat(bert_layer, media::count(c, "r_layers", 5)));

  auto pooler = make("LxmertPooler");
  pooler->add("dense", linear(d.h, d.h));
  pooler->add("activation", leaf("Tanh"));

  auto m = make("LxmertModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("pooler", pooler);
  return m;
}

// LxmertVisualAnswerHead: logit_fc = Sequential(Linear(h, 2h), GeLU, LayerNorm(2h), Linear(2h, num_qa_labels)).
ModulePtr answer_head(const Config& c, const Dims& d) {
  auto seq = make("Sequential");
  seq->add("0", linear(d.h, 2 * d.h));
  seq->add("1", leaf("GeLU"));
  seq->add("2", layer_norm(2 * d.h));
  seq->add("3", linear(2 * d.h, media::dim(c, "num_qa_labels", 9500)));
  auto m = make("LxmertVisualAnswerHead");
  m->add("logit_fc", seq);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Dims d{media::dim(c, "hidden_size", 768), media::dim(c, "intermediate_size", 3072),
         act_class(c.s("hidden_act", "gelu"))};
  media::divisible(c, d.h, media::dim(c, "num_attention_heads", 12), "hidden_size / num_attention_heads");
  if (cls == "LxmertModel") return {lxmert_model(c, d), {}};
  auto root = make(std::string(cls));
  root->add("lxmert", lxmert_model(c, d));
  if (cls == "LxmertForQuestionAnswering") {
    root->add("answer_head", answer_head(c, d));
    return {root, {}};
  }
  if (cls != "LxmertForPreTraining") heads::unsupported(cls);
  int64_t vocab = media::dim(c, "vocab_size", 30522);
  auto predictions = make("LxmertLMPredictionHead");
  predictions->param("bias", {vocab});
  predictions->add("transform", transform(d));
  predictions->add("decoder", heads::lm_head(d.h, vocab, c.b("tie_word_embeddings", true),
                                             "lxmert.embeddings.word_embeddings.weight"));
  auto heads_ = make("LxmertPreTrainingHeads");
  heads_->add("predictions", predictions);
  heads_->add("seq_relationship", linear(d.h, 2));
  root->add("cls", heads_);
  if (c.b("task_obj_predict", true)) {
    auto obj = make("LxmertVisualObjHead");
    obj->add("transform", transform(d));
    auto decoders = make("ModuleDict");
    if (c.b("visual_obj_loss", true)) decoders->add("obj", linear(d.h, media::dim(c, "num_object_labels", 1600)));
    if (c.b("visual_attr_loss", true)) decoders->add("attr", linear(d.h, media::dim(c, "num_attr_labels", 400)));
    if (c.b("visual_feat_loss", true)) decoders->add("feat", linear(d.h, media::dim(c, "visual_feat_dim", 2048)));
    obj->add("decoder_dict", decoders);
    root->add("obj_predict_head", obj);
  }
  if (c.b("task_qa", true)) root->add("answer_head", answer_head(c, d));
  return {root, {}};
}

MEMFIT_FAMILY({"lxmert"}, "Lxmert", build);

}  // namespace
}  // namespace memfit
