// BioGPT: transformers' modeling_biogpt.py. A pre-norm decoder: scaled token embedding, learned positions (offset 2),
// layers of self_attn (k/v/q/out_proj with bias) + fc1/fc2 with two LayerNorms, a final layer_norm.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/seq2seq.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  const int64_t d = c.i("hidden_size", 1024), inter = c.i("intermediate_size", 4096), vocab = c.i("vocab_size", 42384);
  auto layer = make("BioGptDecoderLayer");
  layer->add("self_attn", seq2seq::attention("BioGptAttention", d));
  layer->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
  layer->add("self_attn_layer_norm", layer_norm(d));
  layer->add("fc1", linear(d, inter));
  layer->add("fc2", linear(inter, d));
  layer->add("final_layer_norm", layer_norm(d));

  auto m = make("BioGptModel");
  m->add("embed_tokens", embedding(vocab, d, "BioGptScaledWordEmbedding"));
  m->add("embed_positions", embedding(c.i("max_position_embeddings", 1024) + 2, d, "BioGptLearnedPositionalEmbedding"));
  m->add("layers", repeat(layer, checked_count(c.i("num_hidden_layers", 24))));
  m->add("layer_norm", layer_norm(d));
  const std::vector<std::string> no_split;  // BioGptPreTrainedModel lists no _no_split_modules
  if (cls == "BioGptModel") return {m, no_split};
  auto root = make(std::string(cls));
  root->add("biogpt", m);
  if (cls == "BioGptForCausalLM") {
    root->add("output_projection", heads::lm_head(d, vocab, heads::ties_embeddings(c, true), "biogpt.embed_tokens.weight"));
  } else if (cls == "BioGptForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(d, heads::num_labels(c)));
  } else if (cls == "BioGptForSequenceClassification") {
    root->add("score", linear(d, heads::num_labels(c), false));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"biogpt"}, "BioGpt", build, "BioGptModel", "BioGptForCausalLM");

}  // namespace
}  // namespace memfit
