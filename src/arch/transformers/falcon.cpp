// Falcon: transformers' modeling_falcon.py. Fused query_key_value sized by the attention variant (multi-query,
// grouped "new decoder architecture", or full), FalconLinear projections, one or two LayerNorms per layer
// (parallel attention) or two sequential ones, and a rotary embedding registered even when ALiBi is used.
// Also the remote-code RW configs (model_type RefinedWeb / RefinedWebModel), which hold the same tensors.
#include <utility>

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr falcon_linear(int64_t in, int64_t out, bool bias) {
  auto m = linear(in, out, bias);
  m->cls = "FalconLinear";
  return m;
}

// hidden_size, or the legacy n_embed when given.
int64_t falcon_hidden(const Config& c) { return c.has("n_embed") ? c.i("n_embed") : c.i("hidden_size", 4544); }

ModulePtr falcon_model(const Config& c) {
  int64_t d = falcon_hidden(c), heads = checked(c, "num_attention_heads", c.i("num_attention_heads", 71));
  int64_t head_dim = d / heads, kv_heads = c.i("num_kv_heads", heads);
  int64_t layers = c.i("num_hidden_layers", 32);
  bool bias = c.b("bias", false), new_arch = c.b("new_decoder_architecture", false);
  int64_t qkv = new_arch ? (2 * kv_heads + heads) * head_dim : c.b("multi_query", true) ? d + 2 * head_dim : 3 * d;
  int64_t ffn = c.i("ffn_hidden_size", 4 * d);

  auto attn = make("FalconAttention");
  attn->add("query_key_value", falcon_linear(d, qkv, bias));
  attn->add("dense", falcon_linear(d, d, bias));
  attn->add("attention_dropout", leaf("Dropout"));
  auto mlp = make("FalconMLP");
  mlp->add("dense_h_to_4h", falcon_linear(d, ffn, bias));
  mlp->add("act", leaf(act_class(c.s("activation", "gelu"))));
  mlp->add("dense_4h_to_h", falcon_linear(ffn, d, bias));
  auto layer = make("FalconDecoderLayer");
  layer->add("self_attention", attn);
  layer->add("mlp", mlp);
  int64_t lns = c.i("num_ln_in_parallel_attn", new_arch ? 2 : 1);
  if (!c.b("parallel_attn", true)) {
    layer->add("post_attention_layernorm", layer_norm(d));
    layer->add("input_layernorm", layer_norm(d));
  } else if (lns == 2) {
    layer->add("ln_attn", layer_norm(d));
    layer->add("ln_mlp", layer_norm(d));
  } else {
    layer->add("input_layernorm", layer_norm(d));
  }

  auto m = make("FalconModel");
  m->add("word_embeddings", embedding(c.i("vocab_size", 65024), d));
  m->add("h", repeat(layer, layers));
  m->add("ln_f", layer_norm(d));
  m->add("rotary_emb", rotary("FalconRotaryEmbedding", rope_dim(head_dim, rope_fraction(c, 1.0))));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"FalconDecoderLayer"};
  if (cls == "FalconModel") return {falcon_model(c), no_split};
  int64_t d = falcon_hidden(c);
  auto root = make(std::string(cls));
  root->add("transformer", falcon_model(c));
  if (cls == "FalconForCausalLM") {
    root->add("lm_head", heads::lm_head(d, c.i("vocab_size", 65024), heads::ties_embeddings(c, true),
                                        "transformer.word_embeddings.weight"));
  } else if (cls == "FalconForSequenceClassification") {
    root->add("score", linear(d, heads::num_labels(c), false));
  } else if (cls == "FalconForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(d, heads::num_labels(c)));
  } else if (cls == "FalconForQuestionAnswering") {
    root->add("qa_outputs", linear(d, 2));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"falcon"}, "Falcon", build);

// The original remote-code RW configs ("RefinedWeb": Falcon-40B's grouped-KV layout with ln_attn/ln_mlp;
// "RefinedWebModel": Falcon-7B's multi-query layout) use RW's key names; transformers' Falcon was ported from that
// code with the same tensor names.
Json rw_as_falcon(const Json& c, bool new_arch) {
  Json n = c;
  for (auto [from, to] : {std::pair{"n_head", "num_attention_heads"}, std::pair{"n_layer", "num_hidden_layers"},
                          std::pair{"n_head_kv", "num_kv_heads"}})
    if (c.contains(from) && !c.contains(to)) n[to] = c[from];
  n["new_decoder_architecture"] = new_arch;
  if (!new_arch) n["multi_query"] = c.value("multi_query", true);
  n["architectures"] = Json::array({"FalconForCausalLM"});
  return n;
}

MEMFIT_REMOTE_CODE_ALIAS("RefinedWeb", "falcon", [](const Json& c) { return rw_as_falcon(c, true); },
                         "RW's grouped-KV decoder is Falcon's new_decoder_architecture");
MEMFIT_REMOTE_CODE_ALIAS("RefinedWebModel", "falcon", [](const Json& c) { return rw_as_falcon(c, false); },
                         "RW's multi-query decoder is Falcon's");

}  // namespace
}  // namespace memfit
