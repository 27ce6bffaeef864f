// MPNet: transformers' modeling_mpnet.py. BERT-shaped layers with q/k/v/o under attention.attn and the attention's
// LayerNorm beside it; no token-type embeddings; one relative_attention_bias table [buckets, heads] in the encoder.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr mpnet_model(const Config& c, int64_t d, int64_t vocab, bool pooler) {
  int64_t inter = c.i("intermediate_size", 3072), positions = c.i("max_position_embeddings", 514);
  auto emb = make("MPNetEmbeddings");
  emb->add("word_embeddings", embedding(vocab, d));
  emb->add("position_embeddings", embedding(positions, d));
  emb->add("LayerNorm", layer_norm(d));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, positions}, DType::I64, false);

  auto self = make("MPNetSelfAttention");
  for (const char* n : {"q", "k", "v", "o"}) self->add(n, linear(d, d));
  self->add("dropout", leaf("Dropout"));
  auto attn = make("MPNetAttention");
  attn->add("attn", self);
  attn->add("LayerNorm", layer_norm(d));
  attn->add("dropout", leaf("Dropout"));
  auto intermediate = make("MPNetIntermediate");
  intermediate->add("dense", linear(d, inter));
  intermediate->add("intermediate_act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto out = make("MPNetOutput");
  out->add("dense", linear(inter, d));
  out->add("LayerNorm", layer_norm(d));
  out->add("dropout", leaf("Dropout"));
  auto layer = make("MPNetLayer");
  layer->add("attention", attn);
  layer->add("intermediate", intermediate);
  layer->add("output", out);
  auto enc = make("MPNetEncoder");
  enc->add("layer", repeat(layer, c.i("num_hidden_layers", 12)));
  enc->add("relative_attention_bias", embedding(c.i("relative_attention_num_buckets", 32),
                                                c.i("num_attention_heads", 12)));

  auto m = make("MPNetModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  if (pooler) {
    auto p = make("MPNetPooler");
    p->add("dense", linear(d, d));
    p->add("activation", leaf("Tanh"));
    m->add("pooler", p);
  }
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t d = c.i("hidden_size", 768), vocab = c.i("vocab_size", 30527);
  if (cls == "MPNetModel") return {mpnet_model(c, d, vocab, true), {}};
  auto root = make(std::string(cls));
  if (cls == "MPNetForMaskedLM") {
    root->add("mpnet", mpnet_model(c, d, vocab, false));
    auto h = make("MPNetLMHead");
    h->add("dense", linear(d, d));
    h->add("layer_norm", layer_norm(d));
    auto dec = make("Linear");
    dec->tie("weight", {vocab, d}, "mpnet.embeddings.word_embeddings.weight");
    dec->param("bias", {vocab});
    h->add("decoder", dec);
    h->tie("bias", {vocab}, "lm_head.decoder.bias");
    root->add("lm_head", h);
  } else if (cls == "MPNetForSequenceClassification") {
    root->add("mpnet", mpnet_model(c, d, vocab, false));
    auto h = make("MPNetClassificationHead");
    h->add("dense", linear(d, d));
    h->add("dropout", leaf("Dropout"));
    h->add("out_proj", linear(d, heads::num_labels(c)));
    root->add("classifier", h);
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"mpnet"}, "MPNet", build);

}  // namespace
}  // namespace memfit
