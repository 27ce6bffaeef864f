// NomicBERT (modeling_nomic_bert.py): BERT embeddings without positions (word, token type, LayerNorm; non-persistent
// id buffers), rotary attention, and layers that register post_attention_layernorm, two dropouts, mlp (bias-free
// gated gate/up/down), self_attn (bias-free q/k/v/o) and post_mlp_layernorm, in that order. NomicBertModel: embeddings,
// [pooler], rotary_emb, layers. _no_split_modules: NomicBertEmbeddings, NomicBertLayer.
// Jina Embeddings v3 (modeling_jina_embeddings_v3.py) is the same tree under its prefix with biased fc1/fc2 and
// q/k/v/o, a pooler by default, and task heads that register before the `roberta` model (so the tied word table is
// named lm_head.decoder.weight).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

struct Shape {
  std::string p;  // "NomicBert" or "JinaEmbeddingsV3"
  int64_t vocab, d, layers, heads, head_dim, inter, max_pos, type_vocab;
  std::string act;
  bool jina = false;  // fc1/fc2 MLP and biased attention
};

ModulePtr mlp(const Shape& s) {
  if (!s.jina) return gated_mlp(s.p + "MLP", s.d, s.inter, false, act_class(s.act));
  auto m = make(s.p + "MLP");
  m->add("activation_fn", leaf(act_class(s.act)));
  m->add("fc1", linear(s.d, s.inter));
  m->add("fc2", linear(s.inter, s.d));
  return m;
}

ModulePtr layer(const Shape& s) {
  auto l = make(s.p + "Layer");
  l->add("post_attention_layernorm", layer_norm(s.d));
  l->add("post_attention_dropout", leaf("Dropout"));
  l->add("post_mlp_dropout", leaf("Dropout"));
  l->add("mlp", mlp(s));
  l->add("self_attn", qkvo_attention(s.p + "Attention", {s.d, s.heads, s.heads, s.head_dim, s.jina, s.jina}));
  l->add("post_mlp_layernorm", layer_norm(s.d));
  return l;
}

ModulePtr model(const Shape& s, bool pooler) {
  auto e = make(s.p + "Embeddings");
  e->add("word_embeddings", embedding(s.vocab, s.d));
  e->add("token_type_embeddings", embedding(s.type_vocab, s.d));
  e->add("LayerNorm", layer_norm(s.d));
  e->add("dropout", leaf("Dropout"));
  e->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  e->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  auto m = make(s.p + "Model");
  m->add("embeddings", e);
  if (pooler) {
    auto p = make(s.p + "Pooler");
    p->add("dense", linear(s.d, s.d));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  m->add("rotary_emb", rotary(s.p + "RotaryEmbedding", s.head_dim + (s.head_dim & 1)));
  m->add("layers", repeat(layer(s), s.layers));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Shape s{"NomicBert", c.i("vocab_size", 30528), c.i("hidden_size", 768), c.i("num_hidden_layers", 12),
          c.i("num_attention_heads", 12), 0, c.i("intermediate_size", 3072), c.i("max_position_embeddings", 2048),
          c.i("type_vocab_size", 2), c.s("hidden_act", "silu")};
  if (s.heads <= 0) throw ConfigError("num_attention_heads must be positive (model_type `nomic_bert`)");
  s.head_dim = c.has("head_dim") ? c.i("head_dim", s.d / s.heads) : s.d / s.heads;
  const std::vector<std::string> no_split{"NomicBertEmbeddings", "NomicBertLayer"};
  if (cls == "NomicBertModel") return {model(s, false), no_split};
  auto root = make(std::string(cls));
  if (cls == "NomicBertForMaskedLM") {
    root->add("nomic_bert", model(s, false));
    auto t = make("NomicBertPredictionHeadTransform");
    t->add("dense", linear(s.d, s.d));
    t->add("transform_act_fn", leaf(act_class(s.act)));
    t->add("LayerNorm", layer_norm(s.d));
    auto p = make("NomicBertLMPredictionHead");
    p->add("transform", t);
    if (heads::ties_embeddings(c)) {
      auto dec = make("Linear");
      dec->tie("weight", {s.vocab, s.d}, "nomic_bert.embeddings.word_embeddings.weight");
      dec->tie("bias", {s.vocab}, "cls.predictions.bias");
      p->add("decoder", dec);
    } else {
      p->add("decoder", linear(s.d, s.vocab));
    }
    p->param("bias", {s.vocab});
    auto h = make("NomicBertOnlyMLMHead");
    h->add("predictions", p);
    root->add("cls", h);
  } else if (cls == "NomicBertForSequenceClassification" || cls == "NomicBertForTokenClassification") {
    root->add("nomic_bert", model(s, cls == "NomicBertForSequenceClassification"));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.d, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

const std::string kJina = "JinaEmbeddingsV3";

Model build_jina(const Config& c, std::string_view cls) {
  Shape s{kJina, c.i("vocab_size", 250002), c.i("hidden_size", 1024), c.i("num_hidden_layers", 24),
          c.i("num_attention_heads", 16), 0, c.i("intermediate_size", 4096), c.i("max_position_embeddings", 8194),
          c.i("type_vocab_size", 1), c.s("hidden_act", "gelu"), true};
  if (s.heads <= 0) throw ConfigError("num_attention_heads must be positive (model_type `jina_embeddings_v3`)");
  s.head_dim = c.has("head_dim") ? c.i("head_dim", s.d / s.heads) : s.d / s.heads;
  const std::vector<std::string> no_split{kJina + "Embeddings", kJina + "Layer"};
  if (cls == kJina + "Model") return {model(s, true), no_split};
  auto root = make(std::string(cls));
  const int64_t labels = heads::num_labels(c);
  if (cls == kJina + "ForMaskedLM") {
    // lm_head (dense, layer_norm, decoder, bias); with the tie the decoder comes first and names the word table.
    auto h = make(kJina + "LMHead");
    h->add("dense", linear(s.d, s.d));
    h->add("layer_norm", layer_norm(s.d));
    const bool tied = heads::ties_embeddings(c);
    h->param("bias", {s.vocab});
    if (tied) {
      auto dec = make("Linear");
      dec->param("weight", {s.vocab, s.d});
      dec->tie("bias", {s.vocab}, "lm_head.bias");
      h->add("decoder", dec);
    } else {
      h->add("decoder", linear(s.d, s.vocab));
    }
    root->add("lm_head", h);
    auto m = model(s, false);
    if (tied) m->child("embeddings")->child("word_embeddings")->params[0].second.tied_to = "lm_head.decoder.weight";
    root->add("roberta", m);
  } else if (cls == kJina + "ForSequenceClassification") {
    auto h = make(kJina + "ClassificationHead");
    h->add("dense", linear(s.d, s.d));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.d, labels));
    root->add("classifier", h);
    root->add("roberta", model(s, false));
  } else if (cls == kJina + "ForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.d, labels));
    root->add("roberta", model(s, false));
  } else if (cls == kJina + "ForQuestionAnswering") {
    root->add("qa_outputs", linear(s.d, labels));
    root->add("roberta", model(s, false));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"nomic_bert"}, "NomicBert", build);
MEMFIT_FAMILY({"jina_embeddings_v3"}, "JinaEmbeddingsV3", build_jina);

}  // namespace
