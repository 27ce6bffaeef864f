// Phi (phi-1, phi-1.5, phi-2): transformers' modeling_phi.py. A parallel-residual decoder with one LayerNorm per
// layer, biased q/k/v/dense projections (optional per-head q/k LayerNorms), an fc1/fc2 MLP, partial rotary
// embeddings and a final_layernorm; the LM head has a bias.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr phi_model(const Config& c) {
  DecoderSpec s = read_decoder(c, "Phi");
  auto attn = make("PhiAttention");
  attn->add("q_proj", linear(s.hidden, s.heads * s.head_dim));
  attn->add("k_proj", linear(s.hidden, s.kv_heads * s.head_dim));
  attn->add("v_proj", linear(s.hidden, s.kv_heads * s.head_dim));
  attn->add("dense", linear(s.heads * s.head_dim, s.hidden));
  if (c.b("qk_layernorm", false)) {
    attn->add("q_layernorm", layer_norm(s.hidden / s.heads));
    attn->add("k_layernorm", layer_norm(s.hidden / s.heads));
  }
  auto mlp = make("PhiMLP");
  mlp->add("activation_fn", leaf(act_class(c.s("hidden_act", "gelu_new"))));
  mlp->add("fc1", linear(s.hidden, s.inter));
  mlp->add("fc2", linear(s.inter, s.hidden));
  auto layer = make("PhiDecoderLayer");
  layer->add("self_attn", attn);
  layer->add("mlp", mlp);
  layer->add("input_layernorm", layer_norm(s.hidden));
  layer->add("resid_dropout", leaf("Dropout"));

  auto m = make("PhiModel");
  m->add("embed_tokens", embedding(s.vocab, s.hidden));
  m->add("layers", repeat(layer, s.layers));
  m->add("rotary_emb", rotary("PhiRotaryEmbedding", rope_dim(s.head_dim, rope_fraction(c, 0.5))));
  m->add("embed_dropout", leaf("Dropout"));
  m->add("final_layernorm", layer_norm(s.hidden));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"PhiDecoderLayer"};
  if (cls == "PhiModel") return {phi_model(c), no_split};
  int64_t hidden = c.i("hidden_size", 2048), vocab = c.i("vocab_size", 51200);
  auto root = make(std::string(cls));
  root->add("model", phi_model(c));
  if (cls == "PhiForCausalLM") {
    auto head = heads::lm_head(hidden, vocab, heads::ties_embeddings(c, false), "model.embed_tokens.weight");
    head->param("bias", {vocab});
    root->add("lm_head", head);
  } else if (cls == "PhiForSequenceClassification") {
    root->add("score", linear(hidden, heads::num_labels(c), false));
  } else if (cls == "PhiForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("score", linear(hidden, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"phi"}, "Phi", build);

}  // namespace
}  // namespace memfit
