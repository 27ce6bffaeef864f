// GPT-2: transformers' modeling_gpt2.py (Conv1D projections, learned positions, LayerNorm with bias).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr gpt2_block(int64_t d, int64_t inner, const std::string& act, bool cross, const std::string& p = "GPT2") {
  auto attn = make(p + "Attention");
  attn->add("c_attn", conv1d_gpt2(3 * d, d));
  attn->add("c_proj", conv1d_gpt2(d, d));
  attn->add("attn_dropout", leaf("Dropout"));
  attn->add("resid_dropout", leaf("Dropout"));
  auto mlp = make(p + "MLP");
  mlp->add("c_fc", conv1d_gpt2(inner, d));
  mlp->add("c_proj", conv1d_gpt2(d, inner));
  mlp->add("act", leaf(act_class(act)));
  mlp->add("dropout", leaf("Dropout"));
  auto b = make(p + "Block");
  b->add("ln_1", layer_norm(d));
  b->add("attn", attn);
  b->add("ln_2", layer_norm(d));
  if (cross) {
    auto x = make(p + "Attention");
    x->add("c_attn", conv1d_gpt2(2 * d, d));
    x->add("q_attn", conv1d_gpt2(d, d));
    x->add("c_proj", conv1d_gpt2(d, d));
    x->add("attn_dropout", leaf("Dropout"));
    x->add("resid_dropout", leaf("Dropout"));
    b->add("crossattention", x);
    b->add("ln_cross_attn", layer_norm(d));
  }
  b->add("mlp", mlp);
  return b;
}

ModulePtr gpt2_model(const Config& c, const std::string& p = "GPT2") {
  int64_t d = c.has("n_embd") ? c.i("n_embd") : c.i("hidden_size", 768);
  int64_t inner = c.i("n_inner", 4 * d);
  int64_t positions = c.has("n_positions") ? c.i("n_positions") : c.i("max_position_embeddings", 1024);
  int64_t layers = c.has("n_layer") ? c.i("n_layer") : c.i("num_hidden_layers", 12);
  auto m = make(p + "Model");
  m->add("wte", embedding(c.i("vocab_size", 50257), d));
  m->add("wpe", embedding(positions, d));
  m->add("drop", leaf("Dropout"));
  m->add("h", repeat(gpt2_block(d, inner, c.s("activation_function", "gelu_new"), c.b("add_cross_attention", false), p),
                     layers));
  m->add("ln_f", layer_norm(d));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"GPT2Block"};
  if (cls == "GPT2Model") return {gpt2_model(c), no_split};
  int64_t d = c.has("n_embd") ? c.i("n_embd") : c.i("hidden_size", 768);
  auto root = make(std::string(cls));
  root->add("transformer", gpt2_model(c));
  if (cls == "GPT2LMHeadModel") {
    root->add("lm_head", heads::lm_head(d, c.i("vocab_size", 50257), heads::ties_embeddings(c),
                                        "transformer.wte.weight"));
  } else if (cls == "GPT2ForSequenceClassification") {
    root->add("score", linear(d, heads::num_labels(c), false));
  } else if (cls == "GPT2ForTokenClassification") {
    root->add("dropout", leaf("Dropout"));
    root->add("classifier", linear(d, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"gpt2"}, "GPT2", build);

// Decision Transformer (modeling_decision_transformer.py): a GPT-2 `encoder` (its wte is a 1-row table) between the
// return/state/action/timestep embeddings and the state/action/return predictors.
MEMFIT_FAMILY({"decision_transformer"}, "DecisionTransformer", [](const Config& c, std::string_view cls) -> Model {
  if (cls != "DecisionTransformerModel") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 128), state = c.i("state_dim", 17), act = c.i("act_dim", 4);
  auto m = make("DecisionTransformerModel");
  m->add("encoder", gpt2_model(c, "DecisionTransformerGPT2"));
  m->add("embed_timestep", embedding(c.i("max_ep_len", 4096), h));
  m->add("embed_return", linear(1, h));
  m->add("embed_state", linear(state, h));
  m->add("embed_action", linear(act, h));
  m->add("embed_ln", layer_norm(h));
  m->add("predict_state", linear(h, state));
  auto pa = make("Sequential");
  pa->add("0", linear(h, act));
  if (c.b("action_tanh", true)) pa->add("1", leaf("Tanh"));
  m->add("predict_action", pa);
  m->add("predict_return", linear(h, 1));
  return {m, {}};
});

}  // namespace
}  // namespace memfit
