// Reformer: transformers' modeling_reformer.py. ReformerModel = embeddings (word_embeddings and axial position
// embeddings: a ParameterList of one [.., axial_pos_shape[i], .., axial_pos_embds_dim[i]] tensor per axis, or a plain
// position Embedding without axial_pos_embds) and encoder (one ReformerLayer per attn_layers entry: a LayerNorm, LSH
// or local self-attention without bias and a bias-free output dense, then a chunked feed-forward; a final
// LayerNorm over 2 * hidden for the reversible halves). The attentions keep 0-d float32 mask values as buffers (LSH 4,
// local 2). The LM heads (ReformerModelWithLMHead for is_decoder, ReformerForMaskedLM otherwise) decode from
// 2 * hidden with a separate bias.
#include <fmt/format.h>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr embeddings(const Config& c, int64_t h) {
  auto e = make("ReformerEmbeddings");
  e->add("word_embeddings", embedding(media::dim(c, "vocab_size", 320), h));
  if (c.b("axial_pos_embds", true)) {
    auto shape = media::dims(c, "axial_pos_shape", {64, 64}, 1);
    auto dims = media::dims(c, "axial_pos_embds_dim", {64, 192}, 1);
    int64_t sum = 0;
    for (int64_t d : dims) sum += d;
    // AxialPositionEmbeddings raises unless the factors sum to hidden_size; one weight per axis.
    media::require(c, sum == h, "axial_pos_embds_dim must sum to hidden_size");
    media::require(c, dims.size() <= shape.size(), "axial_pos_embds_dim has more axes than axial_pos_shape");
    auto weights = make("ParameterList");
    for (size_t axis = 0; axis < dims.size(); ++axis) {
      std::vector<int64_t> ax(shape.size(), 1);
      ax[axis] = shape[axis];
      ax.push_back(dims[axis]);
      weights->param(std::to_string(axis), ax);
    }
    e->add("position_embeddings", make("AxialPositionEmbeddings"))->add("weights", weights);
  } else {
    auto p = make("PositionEmbeddings");
    p->add("embedding", embedding(media::dim(c, "max_position_embeddings", 4096), h));
    e->add("position_embeddings", p);
  }
  return e;
}

ModulePtr layer(const Config& c, int64_t h, bool lsh) {
  int64_t all_head = media::dim(c, "num_attention_heads", 12) * media::dim(c, "attention_head_size", 64);
  auto self = make(lsh ? "LSHSelfAttention" : "LocalSelfAttention");
  if (lsh) {
    self->add("query_key", linear(h, all_head, false));
  } else {
    self->add("query", linear(h, all_head, false));
    self->add("key", linear(h, all_head, false));
  }
  self->add("value", linear(h, all_head, false));
  if (lsh) {
    self->buffer("self_mask_value_float16", {}, DType::F32, false);
    self->buffer("self_mask_value_float32", {}, DType::F32, false);
  }
  self->buffer("mask_value_float16", {}, DType::F32, false);
  self->buffer("mask_value_float32", {}, DType::F32, false);
  auto out = make("ReformerSelfOutput");
  out->add("dense", linear(all_head, h, false));
  auto attn = make("ReformerAttention");
  attn->add("layer_norm", layer_norm(h));
  attn->add("self_attention", self);
  attn->add("output", out);

  int64_t ff = media::dim(c, "feed_forward_size", 512);
  auto dense = make("ReformerFeedForwardDense");
  dense->add("act_fn", leaf(act_class(c.s("hidden_act", "relu"))));
  dense->add("dense", linear(h, ff));
  auto output = make("ReformerFeedForwardOutput");
  output->add("dense", linear(ff, h));
  auto chunk = make("ChunkReformerFeedForward");
  chunk->add("layer_norm", layer_norm(h));
  chunk->add("dense", dense);
  chunk->add("output", output);
  auto l = make("ReformerLayer");
  l->add("attention", attn);
  l->add("feed_forward", chunk);
  return l;
}

ModulePtr reformer_model(const Config& c) {
  int64_t h = media::dim(c, "hidden_size", 256);
  auto types = c.strings("attn_layers");
  if (!c.has("attn_layers")) types = {"local", "lsh", "local", "lsh", "local", "lsh"};
  media::require(c, !types.empty(), "attn_layers is empty: select at least one of lsh and local");
  for (const auto& t : types)
    if (t != "lsh" && t != "local")
      throw ConfigError(fmt::format("reformer: attn_layers has `{}`; only 'lsh' and 'local' exist", t));
  auto lsh = layer(c, h, true), local = layer(c, h, false);
  std::vector<ModulePtr> layers;
  for (const auto& t : types) layers.push_back(t == "lsh" ? lsh : local);
  checked_count(static_cast<int64_t>(layers.size()));
  auto enc = make("ReformerEncoder");
  enc->add("layers", module_list(std::move(layers)));
  enc->add("layer_norm", layer_norm(2 * h));
  auto m = make("ReformerModel");
  m->add("embeddings", embeddings(c, h));
  m->add("encoder", enc);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  if (cls == "ReformerModel") return {reformer_model(c), {}};
  int64_t h = media::dim(c, "hidden_size", 256);
  auto root = make(std::string(cls));
  root->add("reformer", reformer_model(c));
  bool decoder = c.b("is_decoder", false);
  if (cls == "ReformerModelWithLMHead" || cls == "ReformerForMaskedLM") {
    // The classes assert is_decoder (WithLMHead) or its absence (MaskedLM).
    bool with_lm = cls == "ReformerModelWithLMHead";
    if (with_lm != decoder)
      throw ConfigError(fmt::format("{} needs is_decoder={} (transformers asserts it)", cls, with_lm));
    auto head = make("ReformerOnlyLMHead");
    int64_t vocab = media::dim(c, "vocab_size", 320);
    head->param("bias", {vocab});
    head->add("decoder", linear(2 * h, vocab, false));
    root->add("lm_head", head);
  } else if (cls == "ReformerForSequenceClassification") {
    auto head = make("ReformerClassificationHead");
    head->add("dense", linear(2 * h, h));
    head->add("dropout", leaf("Dropout"));
    head->add("out_proj", linear(h, heads::num_labels(c)));
    root->add("classifier", head);
  } else if (cls == "ReformerForQuestionAnswering") {
    root->add("qa_outputs", linear(2 * h, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, {}};
}

MEMFIT_FAMILY({"reformer"}, "Reformer", build);

}  // namespace
}  // namespace memfit
