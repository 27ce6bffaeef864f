// GPT-Neo: transformers' modeling_gpt_neo.py. GPT-2's layout with nn.Linear projections (q/k/v without bias) under
// attn.attention, and a boolean causal-mask buffer per layer (max_positions x max_positions, non-persistent; the
// local layers' banded mask has the same shape).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr gpt_neo_block(const Config& c, int64_t d) {
  int64_t positions = c.i("max_position_embeddings", 2048);
  auto self = make("GPTNeoSelfAttention");
  self->buffer("bias", {1, 1, positions, positions}, DType::Bool, false);
  self->add("attn_dropout", leaf("Dropout"));
  self->add("resid_dropout", leaf("Dropout"));
  self->add("k_proj", linear(d, d, false));
  self->add("v_proj", linear(d, d, false));
  self->add("q_proj", linear(d, d, false));
  self->add("out_proj", linear(d, d, true));
  auto attn = make("GPTNeoAttention");
  attn->add("attention", self);
  int64_t inner = c.has("intermediate_size") ? c.i("intermediate_size") : 4 * d;
  auto mlp = make("GPTNeoMLP");
  mlp->add("c_fc", linear(d, inner));
  mlp->add("c_proj", linear(inner, d));
  mlp->add("act", leaf(act_class(c.s("activation_function", "gelu_new"))));
  mlp->add("dropout", leaf("Dropout"));
  auto b = make("GPTNeoBlock");
  b->add("ln_1", layer_norm(d));
  b->add("attn", attn);
  b->add("ln_2", layer_norm(d));
  b->add("mlp", mlp);
  return b;
}

Model build(const Config& c, std::string_view cls) {
  int64_t d = c.i("hidden_size", 2048), vocab = c.i("vocab_size", 50257);
  auto m = make("GPTNeoModel");
  m->add("wte", embedding(vocab, d));
  m->add("wpe", embedding(c.i("max_position_embeddings", 2048), d));
  m->add("drop", leaf("Dropout"));
  m->add("h", repeat(gpt_neo_block(c, d), c.i("num_layers", 24)));
  m->add("ln_f", layer_norm(d));
  return heads::base_or_lm(cls, "GPTNeoModel", "GPTNeoForCausalLM", m, "transformer", d, vocab,
                           heads::ties_embeddings(c), "transformer.wte.weight", {"GPTNeoBlock"});
}

MEMFIT_FAMILY({"gpt_neo"}, "GPTNeo", build);

}  // namespace
}  // namespace memfit
