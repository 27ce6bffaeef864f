// GPT-NeoX-Japanese (modeling_gpt_neox_japanese.py): GPTNeoXJapaneseModel holds embed_in, layers.N
// (input_layernorm, post_attention_layernorm, attention: bias-free query_key_value and dense, plus a dense_bias
// [hidden] in the last layer only; mlp: bias-free dense_h_to_4h / dense_4h_to_h of hidden * intermediate_multiple_size),
// final_layer_norm and rotary_emb (inv_freq over the whole head: the partial factor only narrows the rotation).
// _no_split_modules: GPTNeoXJapaneseLayer.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

ModulePtr layer(const Config& c, int64_t d, bool last) {
  const int64_t inter = static_cast<int64_t>(static_cast<double>(d) * c.f("intermediate_multiple_size", 4));
  auto a = make("GPTNeoXJapaneseAttention");
  a->add("attention_dropout", leaf("Dropout"));
  a->add("query_key_value", linear(d, 3 * d, false));
  a->add("dense", linear(d, d, false));
  if (last) a->param("dense_bias", {d});
  auto mlp = make("GPTNeoXJapaneseMLP");
  mlp->add("dense_h_to_4h", linear(d, inter, false));
  mlp->add("dense_4h_to_h", linear(inter, d, false));
  mlp->add("act", leaf(act_class(c.s("hidden_act", "gelu"))));
  auto l = make("GPTNeoXJapaneseLayer");
  l->add("input_layernorm", layer_norm(d));
  l->add("post_attention_layernorm", layer_norm(d));
  l->add("attention", a);
  l->add("mlp", mlp);
  return l;
}

ModulePtr model(const Config& c) {
  const int64_t d = c.i("hidden_size", 2560), heads = c.i("num_attention_heads", 32), n = c.i("num_hidden_layers", 32);
  if (heads == 0) throw ConfigError("num_attention_heads must not be 0 (model_type `gpt_neox_japanese`)");
  auto m = make("GPTNeoXJapaneseModel");
  m->add("embed_in", embedding(c.i("vocab_size", 32000), d));
  auto layers = make("ModuleList");
  for (int64_t i = 0; i < n; ++i) layers->add(std::to_string(i), layer(c, d, i == n - 1));
  m->add("layers", layers);
  m->add("final_layer_norm", layer_norm(d));
  const int64_t dim = c.has("head_dim") ? c.i("head_dim", d / heads) : d / heads;
  m->add("rotary_emb", rotary("GPTNeoXJapaneseRotaryEmbedding", dim + (dim & 1)));  // arange(0, dim, 2)
  return m;
}

Model build(const Config& c, std::string_view cls) {
  const std::vector<std::string> no_split{"GPTNeoXJapaneseLayer"};
  if (cls == "GPTNeoXJapaneseModel") return {model(c), no_split};
  if (cls != "GPTNeoXJapaneseForCausalLM") heads::unsupported(cls);
  auto root = make(std::string(cls));
  root->add("gpt_neox_japanese", model(c));
  root->add("embed_out", heads::lm_head(c.i("hidden_size", 2560), c.i("vocab_size", 32000), heads::ties_embeddings(c),
                                        "gpt_neox_japanese.embed_in.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"gpt_neox_japanese"}, "GPTNeoXJapanese", build);

}  // namespace
