// NomicBERT (modeling_nomic_bert.py): BERT embeddings without positions (word, token type, LayerNorm; non-persistent
// id buffers), rotary attention, and layers that register post_attention_layernorm, two dropouts, mlp (bias-free
// gated gate/up/down), self_attn (bias-free q/k/v/o) and post_mlp_layernorm, in that order. NomicBertModel: embeddings,
// [pooler], rotary_emb, layers. _no_split_modules: NomicBertEmbeddings, NomicBertLayer.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace {
using namespace memfit;
using namespace memfit::blocks;

struct Shape {
  int64_t vocab, d, layers, heads, head_dim, inter, max_pos, type_vocab;
  std::string act;
};

ModulePtr layer(const Shape& s) {
  auto l = make("NomicBertLayer");
  l->add("post_attention_layernorm", layer_norm(s.d));
  l->add("post_attention_dropout", leaf("Dropout"));
  l->add("post_mlp_dropout", leaf("Dropout"));
  l->add("mlp", gated_mlp("NomicBertMLP", s.d, s.inter, false, act_class(s.act)));
  l->add("self_attn", qkvo_attention("NomicBertAttention", {s.d, s.heads, s.heads, s.head_dim, false, false}));
  l->add("post_mlp_layernorm", layer_norm(s.d));
  return l;
}

ModulePtr model(const Shape& s, bool pooler) {
  auto e = make("NomicBertEmbeddings");
  e->add("word_embeddings", embedding(s.vocab, s.d));
  e->add("token_type_embeddings", embedding(s.type_vocab, s.d));
  e->add("LayerNorm", layer_norm(s.d));
  e->add("dropout", leaf("Dropout"));
  e->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  e->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  auto m = make("NomicBertModel");
  m->add("embeddings", e);
  if (pooler) {
    auto p = make("NomicBertPooler");
    p->add("dense", linear(s.d, s.d));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  m->add("rotary_emb", rotary("NomicBertRotaryEmbedding", s.head_dim + (s.head_dim & 1)));
  m->add("layers", repeat(layer(s), s.layers));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Shape s{c.i("vocab_size", 30528), c.i("hidden_size", 768), c.i("num_hidden_layers", 12),
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

MEMFIT_FAMILY({"nomic_bert"}, "NomicBert", build);

}  // namespace
