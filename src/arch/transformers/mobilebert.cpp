// MobileBERT: transformers' modeling_mobilebert.py. Narrow layers of true_hidden_size (intra_bottleneck_size with
// use_bottleneck) between hidden_size-wide residual streams: trigram embeddings projected by embedding_transformation,
// per layer attention, intermediate and output (with an output bottleneck back to hidden_size), input/attention
// bottlenecks and num_feedforward_networks - 1 extra FFNs. Norms are LayerNorm or NoNorm (the same weight and bias).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "MobileBertModel") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 512), e = c.i("embedding_size", 128), inter = c.i("intermediate_size", 512);
  const bool bottleneck = c.b("use_bottleneck", true);
  const int64_t intra = c.i("intra_bottleneck_size", 128), t = bottleneck ? intra : h;
  const int64_t max_pos = checked_count(c.i("max_position_embeddings", 512), "max_position_embeddings");
  const std::string norm_cls = c.s("normalization_type", "no_norm") == "no_norm" ? "NoNorm" : "LayerNorm";
  const std::string act = act_class(c.s("hidden_act", "relu"));
  auto norm = [&](int64_t d) { return layer_norm(d, true, norm_cls); };
  auto dense_norm = [&](const std::string& cls_name, int64_t in, int64_t out) {
    auto m = make(cls_name);
    m->add("dense", linear(in, out));
    m->add("LayerNorm", norm(out));
    return m;
  };

  auto emb = make("MobileBertEmbeddings");
  emb->add("word_embeddings", embedding(c.i("vocab_size", 30522), e));
  emb->add("position_embeddings", embedding(max_pos, h));
  emb->add("token_type_embeddings", embedding(c.i("type_vocab_size", 2), h));
  emb->add("embedding_transformation", linear(e * (c.b("trigram_input", true) ? 3 : 1), h));
  emb->add("LayerNorm", norm(h));
  emb->add("dropout", leaf("Dropout"));
  emb->buffer("position_ids", {1, max_pos}, DType::I64, false);

  auto self = make("MobileBertSelfAttention");
  self->add("query", linear(t, t));
  self->add("key", linear(t, t));
  self->add("value", linear(c.b("use_bottleneck_attention", false) ? t : h, t));
  self->add("dropout", leaf("Dropout"));
  auto attn = make("MobileBertAttention");
  attn->add("self", self);
  attn->add("output", dense_norm("MobileBertSelfOutput", t, t));
  auto intermediate = [&] {
    auto m = make("MobileBertIntermediate");
    m->add("dense", linear(t, inter));
    m->add("intermediate_act_fn", leaf(act));
    return m;
  };
  auto out = dense_norm("MobileBertOutput", inter, t);
  if (bottleneck) out->add("bottleneck", dense_norm("OutputBottleneck", t, h));
  auto layer = make("MobileBertLayer");
  layer->add("attention", attn);
  layer->add("intermediate", intermediate());
  layer->add("output", out);
  if (bottleneck) {
    auto b = make("Bottleneck");
    b->add("input", dense_norm("BottleneckLayer", h, intra));
    if (c.b("key_query_shared_bottleneck", true)) b->add("attention", dense_norm("BottleneckLayer", h, intra));
    layer->add("bottleneck", b);
  }
  if (const int64_t n = c.i("num_feedforward_networks", 4); n > 1) {
    auto ffn = make("FFNLayer");
    ffn->add("intermediate", intermediate());
    ffn->add("output", dense_norm("FFNOutput", inter, t));
    layer->add("ffn", repeat(ffn, checked_count(n - 1, "num_feedforward_networks")));
  }
  auto enc = make("MobileBertEncoder");
  enc->add("layer", repeat(layer, checked_count(c.i("num_hidden_layers", 24))));
  auto pool = make("MobileBertPooler");
  if (c.b("classifier_activation", true)) pool->add("dense", linear(h, h));
  auto m = make("MobileBertModel");
  m->add("embeddings", emb);
  m->add("encoder", enc);
  m->add("pooler", pool);
  return {m, {}};
}

MEMFIT_FAMILY({"mobilebert"}, "MobileBert", build);

}  // namespace
}  // namespace memfit
