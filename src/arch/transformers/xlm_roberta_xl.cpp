// XLM-RoBERTa-XL: transformers' modeling_xlm_roberta_xl.py. RoBERTa with pre-norm layers: no embedding LayerNorm,
// a self_attn_layer_norm inside each attention, a LayerNorm per layer and one after the encoder.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"
#include "arch/transformers/seq2seq.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

struct XLShape {
  int64_t vocab, hidden, layers, inter, max_pos, type_vocab;
  std::string act;
  bool cross;
};

ModulePtr attention(const XLShape& s, bool cross) {
  auto self = make(cross ? "XLMRobertaXLCrossAttention" : "XLMRobertaXLSelfAttention");
  for (const char* n : {"query", "key", "value"}) self->add(n, linear(s.hidden, s.hidden));
  self->add("dropout", leaf("Dropout"));
  auto out = make("XLMRobertaXLSelfOutput");
  out->add("dense", linear(s.hidden, s.hidden));
  out->add("dropout", leaf("Dropout"));
  auto a = make("XLMRobertaXLAttention");
  a->add("self", self);
  a->add("output", out);
  a->add("self_attn_layer_norm", layer_norm(s.hidden));
  return a;
}

ModulePtr xl_model(const XLShape& s, bool pooler) {
  auto emb = make("XLMRobertaXLEmbeddings");
  emb->add("word_embeddings", embedding(s.vocab, s.hidden));
  emb->add("token_type_embeddings", embedding(s.type_vocab, s.hidden));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, s.max_pos}, DType::I64, false);
  emb->buffer("token_type_ids", {1, s.max_pos}, DType::I64, false);
  emb->add("position_embeddings", embedding(s.max_pos, s.hidden));

  auto l = make("XLMRobertaXLLayer");
  l->add("attention", attention(s, false));
  if (s.cross) l->add("crossattention", attention(s, true));
  auto inter = make("XLMRobertaXLIntermediate");
  inter->add("dense", linear(s.hidden, s.inter));
  inter->add("intermediate_act_fn", leaf(act_class(s.act)));
  l->add("intermediate", inter);
  auto out = make("XLMRobertaXLOutput");
  out->add("dense", linear(s.inter, s.hidden));
  l->add("output", out);
  l->add("LayerNorm", layer_norm(s.hidden));

  auto enc = make("XLMRobertaXLEncoder");
  enc->add("layer", repeat(l, s.layers));
  enc->add("LayerNorm", layer_norm(s.hidden));
  auto m = make("XLMRobertaXLModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("XLMRobertaXLPooler");
    p->add("dense", linear(s.hidden, s.hidden));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  XLShape s{c.i("vocab_size", 250880), c.i("hidden_size", 2560), seq2seq::count(c, "num_hidden_layers", 36),
            c.i("intermediate_size", 10240), c.i("max_position_embeddings", 514), c.i("type_vocab_size", 1),
            c.s("hidden_act", "gelu"), c.b("is_decoder", false) && c.b("add_cross_attention", false)};
  std::vector<std::string> no_split{"XLMRobertaXLEmbeddings", "XLMRobertaXLLayer"};
  if (cls == "XLMRobertaXLModel") return {xl_model(s, true), no_split};
  auto root = make(std::string(cls));
  int64_t labels = heads::num_labels(c);
  if (cls == "XLMRobertaXLForMaskedLM" || cls == "XLMRobertaXLForCausalLM") {
    root->add("roberta", xl_model(s, false));
    auto h = make("XLMRobertaXLLMHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("layer_norm", layer_norm(s.hidden));
    if (heads::ties_embeddings(c, true)) {
      auto dec = make("Linear");
      dec->tie("weight", {s.vocab, s.hidden}, "roberta.embeddings.word_embeddings.weight");
      dec->tie("bias", {s.vocab}, "lm_head.bias");
      h->add("decoder", dec);
    } else {
      h->add("decoder", linear(s.hidden, s.vocab));
    }
    h->param("bias", {s.vocab});
    root->add("lm_head", h);
  } else if (cls == "XLMRobertaXLForSequenceClassification") {
    root->add("roberta", xl_model(s, false));
    auto h = make("XLMRobertaXLClassificationHead");
    h->add("dense", linear(s.hidden, s.hidden));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(s.hidden, labels));
    root->add("classifier", h);
  } else if (cls == "XLMRobertaXLForMultipleChoice") {
    root->add("roberta", xl_model(s, true));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, 1));
  } else if (cls == "XLMRobertaXLForTokenClassification") {
    root->add("roberta", xl_model(s, false));
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(s.hidden, labels));
  } else if (cls == "XLMRobertaXLForQuestionAnswering") {
    root->add("roberta", xl_model(s, false));
    root->add("qa_outputs", linear(s.hidden, labels));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"xlm-roberta-xl"}, "XLMRobertaXL", build);

}  // namespace
}  // namespace memfit
