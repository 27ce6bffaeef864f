// Jina Embeddings v3 (modeling_jina_embeddings_v3.py): XLM-RoBERTa's embeddings without positions (word, token type,
// LayerNorm; non-persistent id buffers), [pooler], a rotary_emb, and layers that register post_attention_layernorm,
// two dropouts, mlp (fc1/fc2 with biases), self_attn (biased q/k/v/o) and post_mlp_layernorm. The task heads register
// before the `roberta` model (so the tied word table is named lm_head.decoder.weight). _no_split_modules: the
// embeddings and the layer.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace {
using namespace memfit;
using namespace memfit::blocks;
const std::string kP = "JinaEmbeddingsV3";

struct Shape {
  int64_t vocab, d, layers, heads, head_dim, inter, max_pos, type_vocab;
  std::string act;
};

ModulePtr layer(const Shape& s) {
  auto mlp = make(kP + "MLP");
  mlp->add("activation_fn", leaf(act_class(s.act)));
  mlp->add("fc1", linear(s.d, s.inter));
  mlp->add("fc2", linear(s.inter, s.d));
  auto l = make(kP + "Layer");
  l->add("post_attention_layernorm", layer_norm(s.d));
  l->add("post_attention_dropout", leaf("Dropout"));
  l->add("post_mlp_dropout", leaf("Dropout"));
  l->add("mlp", mlp);
  l->add("self_attn", qkvo_attention(kP + "Attention", {s.d, s.heads, s.heads, s.head_dim, true, true}));
  l->add("post_mlp_layernorm", layer_norm(s.d));
  return l;
}

ModulePtr model(const Shape& s, bool pooler) {
  auto e = make(kP + "Embeddings");
  e->add("word_embeddings", embedding(s.vocab, s.d));
  e->add("token_type_embeddings", embedding(s.type_vocab, s.d));
  e->add("LayerNorm", layer_norm(s.d));
  e->add("dropout", leaf("Dropout"));
  e->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  e->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  auto m = make(kP + "Model");
  m->add("embeddings", e);
  if (pooler) {
    auto p = make(kP + "Pooler");
    p->add("dense", linear(s.d, s.d));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  m->add("rotary_emb", rotary(kP + "RotaryEmbedding", s.head_dim + (s.head_dim & 1)));
  m->add("layers", repeat(layer(s), s.layers));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Shape s{c.i("vocab_size", 250002), c.i("hidden_size", 1024), c.i("num_hidden_layers", 24),
          c.i("num_attention_heads", 16), 0, c.i("intermediate_size", 4096), c.i("max_position_embeddings", 8194),
          c.i("type_vocab_size", 1), c.s("hidden_act", "gelu")};
  if (s.heads <= 0) throw ConfigError("num_attention_heads must be positive (model_type `jina_embeddings_v3`)");
  s.head_dim = c.has("head_dim") ? c.i("head_dim", s.d / s.heads) : s.d / s.heads;
  const std::vector<std::string> no_split{kP + "Embeddings", kP + "Layer"};
  if (cls == kP + "Model") return {model(s, true), no_split};
  auto root = make(std::string(cls));
  const int64_t labels = heads::num_labels(c);
  if (cls == kP + "ForMaskedLM") {
    // lm_head (dense, layer_norm, decoder, bias); with the tie the decoder comes first and names the word table.
    auto h = make(kP + "LMHead");
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
  } else if (cls == kP + "ForSequenceClassification") {
    auto h = make(kP + "ClassificationHead");
    h->add("dense", linear(s.d, s.d));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.d, labels));
    root->add("classifier", h);
    root->add("roberta", model(s, false));
  } else if (cls == kP + "ForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.d, labels));
    root->add("roberta", model(s, false));
  } else if (cls == kP + "ForQuestionAnswering") {
    root->add("qa_outputs", linear(s.d, labels));
    root->add("roberta", model(s, false));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"jina_embeddings_v3"}, "JinaEmbeddingsV3", build);

}  // namespace
