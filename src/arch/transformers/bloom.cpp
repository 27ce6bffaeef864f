// BLOOM: transformers' modeling_bloom.py. ALiBi (no position tensors), LayerNorm after the word embeddings, a fused
// biased query_key_value and a 4x MLP.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

int64_t bloom_hidden(const Config& c) { return c.has("n_embed") ? c.i("n_embed") : c.i("hidden_size", 64); }

ModulePtr bloom_model(const Config& c) {
  int64_t d = bloom_hidden(c);
  int64_t layers = c.has("n_layer") ? c.i("n_layer") : c.i("num_hidden_layers", 2);
  auto attn = make("BloomAttention");
  attn->add("query_key_value", linear(d, 3 * d));
  attn->add("dense", linear(d, d));
  attn->add("attention_dropout", leaf("Dropout"));
  auto mlp = make("BloomMLP");
  mlp->add("dense_h_to_4h", linear(d, 4 * d));
  mlp->add("gelu_impl", leaf("BloomGelu"));
  mlp->add("dense_4h_to_h", linear(4 * d, d));
  auto block = make("BloomBlock");
  block->add("input_layernorm", layer_norm(d));
  block->add("self_attention", attn);
  block->add("post_attention_layernorm", layer_norm(d));
  block->add("mlp", mlp);

  auto m = make("BloomModel");
  m->add("word_embeddings", embedding(c.i("vocab_size", 250880), d));
  m->add("word_embeddings_layernorm", layer_norm(d));
  m->add("h", repeat(block, layers));
  m->add("ln_f", layer_norm(d));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"BloomBlock"};
  if (cls == "BloomModel") return {bloom_model(c), no_split};
  int64_t d = bloom_hidden(c);
  auto root = make(std::string(cls));
  root->add("transformer", bloom_model(c));
  if (cls == "BloomForCausalLM") {
    root->add("lm_head", heads::lm_head(d, c.i("vocab_size", 250880), heads::ties_embeddings(c, true),
                                        "transformer.word_embeddings.weight"));
  } else if (cls == "BloomForSequenceClassification") {
    root->add("score", linear(d, heads::num_labels(c), false));
  } else if (cls == "BloomForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(d, heads::num_labels(c)));
  } else if (cls == "BloomForQuestionAnswering") {
    root->add("qa_outputs", linear(d, 2));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"bloom"}, "Bloom", build);

}  // namespace
}  // namespace memfit
