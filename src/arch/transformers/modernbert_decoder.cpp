// ModernBERT decoder (modeling_modernbert_decoder.py): ModernBertDecoderModel holds embeddings (tok_embeddings,
// norm, drop), layers.N (attn_norm -- an Identity in layer 0 --, attn: q/k/v_proj + Wo, mlp_norm, mlp: Wi to
// 2 * intermediate, act, drop, Wo), final_norm and a rotary_emb with <type>_inv_freq / <type>_original_inv_freq per
// distinct layer type. LayerNorms carry a bias only with norm_bias. _no_split_modules: ModernBertDecoderLayer.
#include "arch/blocks.h"
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace MEMFIT_TU {
using namespace memfit;
using namespace memfit::blocks;

struct Shape {
  int64_t vocab, d, inter, heads, layers;
  bool attn_bias, mlp_bias, norm_bias;
};

ModulePtr layer(const Shape& s, const Config& c, bool first) {
  auto l = make("ModernBertDecoderLayer");
  l->add("attn_norm", first ? leaf("Identity") : layer_norm(s.d, s.norm_bias));
  auto a = make("ModernBertDecoderAttention");
  for (const char* n : {"q_proj", "k_proj", "v_proj"}) a->add(n, linear(s.d, s.d, s.attn_bias));
  a->add("Wo", linear(s.d, s.d, s.attn_bias));
  a->add("out_drop", leaf("Dropout"));
  l->add("attn", a);
  l->add("mlp_norm", layer_norm(s.d, s.norm_bias));
  auto mlp = make("ModernBertDecoderMLP");
  mlp->add("Wi", linear(s.d, 2 * s.inter, s.mlp_bias));
  mlp->add("act", leaf(act_class(c.s("hidden_activation", "gelu"))));
  mlp->add("drop", leaf("Dropout"));
  mlp->add("Wo", linear(s.inter, s.d, s.mlp_bias));
  l->add("mlp", mlp);
  return l;
}

// layer_types, or the config's __post_init__ pattern: full attention every global_attn_every_n_layers (3) layers
// (an empty list is how the generated defaults stand for that loop).
std::vector<std::string> layer_types(const Config& c, int64_t n) {
  std::vector<std::string> types;
  if (auto j = c.raw().find("layer_types"); j != c.raw().end() && j->is_array() && !j->empty()) {
    for (const auto& t : *j)
      if (t.is_string()) types.push_back(t.get<std::string>());
    return types;
  }
  const int64_t every = c.i("global_attn_every_n_layers", 3);
  if (every == 0) throw ConfigError("global_attn_every_n_layers must not be 0 (model_type `modernbert-decoder`)");
  for (int64_t i = 0; i < n; ++i) types.push_back(i % every != 0 ? "sliding_attention" : "full_attention");
  return types;
}

ModulePtr model(const Shape& s, const Config& c) {
  auto m = make("ModernBertDecoderModel");
  auto e = make("ModernBertDecoderEmbeddings");
  e->add("tok_embeddings", embedding(s.vocab, s.d));
  e->add("norm", layer_norm(s.d, s.norm_bias));
  e->add("drop", leaf("Dropout"));
  m->add("embeddings", e);
  auto layers = make("ModuleList");
  for (int64_t i = 0; i < s.layers; ++i) layers->add(std::to_string(i), layer(s, c, i == 0));
  m->add("layers", layers);
  m->add("final_norm", layer_norm(s.d, s.norm_bias));
  const int64_t head_dim = c.has("head_dim") ? c.i("head_dim", s.d / s.heads) : s.d / s.heads;
  m->add("rotary_emb",
         rotary_per_layer_type(c, "ModernBertDecoderRotaryEmbedding", head_dim, layer_types(c, s.layers)));
  return m;
}

// ModernBertDecoderPredictionHead: dense (classifier_bias), act, norm.
ModulePtr prediction_head(const Shape& s, const Config& c) {
  auto h = make("ModernBertDecoderPredictionHead");
  h->add("dense", linear(s.d, s.d, c.b("classifier_bias", false)));
  h->add("act", leaf(act_class(c.s("classifier_activation", "gelu"))));
  h->add("norm", layer_norm(s.d, s.norm_bias));
  return h;
}

Model build(const Config& c, std::string_view cls) {
  const Shape s{c.i("vocab_size", 50368), c.i("hidden_size", 768), c.i("intermediate_size", 1152),
                c.i("num_attention_heads", 12), checked(c, "num_hidden_layers", c.i("num_hidden_layers", 22)),
                c.b("attention_bias", false), c.b("mlp_bias", false), c.b("norm_bias", false)};
  if (s.heads == 0 || s.d % s.heads != 0)
    throw ConfigError(fmt::format("The hidden size ({}) is not a multiple of the number of attention heads ({})",
                                  s.d, s.heads));
  const std::vector<std::string> no_split{"ModernBertDecoderLayer"};
  if (cls == "ModernBertDecoderModel") return {model(s, c), no_split};
  auto root = make(std::string(cls));
  root->add("model", model(s, c));
  root->add(cls == "ModernBertDecoderForCausalLM" ? "lm_head" : "head", prediction_head(s, c));
  if (cls == "ModernBertDecoderForCausalLM") {
    // decoder: Linear(hidden, vocab, bias=decoder_bias), its weight tied to the token embeddings.
    auto dec = make("Linear");
    if (heads::ties_embeddings(c)) dec->tie("weight", {s.vocab, s.d}, "model.embeddings.tok_embeddings.weight");
    else dec->param("weight", {s.vocab, s.d});
    if (c.b("decoder_bias", true)) dec->param("bias", {s.vocab});
    root->add("decoder", dec);
  } else if (cls == "ModernBertDecoderForSequenceClassification") {
    root->add("classifier", linear(s.d, heads::num_labels(c), c.b("classifier_bias", false)));
    root->add("drop", leaf("Dropout"));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"modernbert-decoder"}, "ModernBertDecoder", build);

}  // namespace
