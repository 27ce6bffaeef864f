// CodeGen: transformers' modeling_codegen.py. GPT-J's parallel block with one fused bias-free qkv_proj; every
// attention registers a non-persistent float32 sinusoid table embed_positions [n_positions, rotary_dim or n_embd].
// The LM head has a bias.
#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr codegen_model(const Config& c, int64_t d) {
  int64_t positions = checked(c, "n_positions", c.i_any({"n_positions", "max_position_embeddings"}));
  int64_t pos_dim = c.has("rotary_dim") ? c.i("rotary_dim") : d;  // sin and cos halves of ceil(pos_dim / 2)
  int64_t inner = c.i("n_inner", 4 * d);
  auto attn = make("CodeGenAttention");
  attn->add("attn_dropout", leaf("Dropout"));
  attn->add("resid_dropout", leaf("Dropout"));
  attn->add("qkv_proj", linear(d, 3 * d, false));
  attn->add("out_proj", linear(d, d, false));
  attn->buffer("embed_positions", {positions, (pos_dim + 1) / 2 * 2}, DType::F32, false);
  auto mlp = make("CodeGenMLP");
  mlp->add("fc_in", linear(d, inner));
  mlp->add("fc_out", linear(inner, d));
  mlp->add("act", leaf(act_class(c.s("activation_function", "gelu_new"))));
  mlp->add("dropout", leaf("Dropout"));
  auto block = make("CodeGenBlock");
  block->add("ln_1", layer_norm(d));
  block->add("attn", attn);
  block->add("mlp", mlp);

  auto m = make("CodeGenModel");
  m->add("wte", embedding(c.i("vocab_size", 50400), d));
  m->add("drop", leaf("Dropout"));
  m->add("h", repeat(block, c.i_any({"n_layer", "num_hidden_layers"})));
  m->add("ln_f", layer_norm(d));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t d = c.i_any({"n_embd", "hidden_size"}), vocab = c.i("vocab_size", 50400);
  Model m = heads::base_or_lm(cls, "CodeGenModel", "CodeGenForCausalLM", codegen_model(c, d), "transformer", d, vocab,
                              heads::ties_embeddings(c, false), "transformer.wte.weight", {"CodeGenBlock"});
  if (auto head = m.root->child("lm_head")) head->param("bias", {vocab});
  return m;
}

MEMFIT_FAMILY({"codegen"}, "CodeGen", build);

}  // namespace
}  // namespace memfit
