// GPT-J: transformers' modeling_gptj.py. Parallel attention + MLP under one ln_1; bias-free k/v/q/out projections;
// every attention registers a non-persistent float32 sinusoid table embed_positions [n_positions, rotary_dim].
#include <fmt/format.h>

#include "arch/transformers/decoder.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr gptj_model(const Config& c) {
  int64_t d = c.i_any({"n_embd", "hidden_size"});
  int64_t heads = checked(c, "n_head", c.i_any({"n_head", "num_attention_heads"}));
  if (d % heads != 0)  // GPTJAttention raises the same
    throw ConfigError(fmt::format("n_embd {} is not divisible by n_head {} (model_type `gptj`)", d, heads));
  int64_t positions = checked(c, "n_positions", c.i_any({"n_positions", "max_position_embeddings"}));
  // rotary_dim: 64 when absent; an explicit null means no rotary split (the table then spans n_embd).
  bool null_rotary = c.raw().contains("rotary_dim") && c.raw().at("rotary_dim").is_null();
  int64_t rotary_dim = null_rotary ? 0 : c.i("rotary_dim", 64);
  int64_t inner = c.i("n_inner", 4 * d);
  int64_t layers = c.i_any({"n_layer", "num_hidden_layers"});

  auto attn = make("GPTJAttention");
  attn->add("attn_dropout", leaf("Dropout"));
  attn->add("resid_dropout", leaf("Dropout"));
  for (const char* n : {"k_proj", "v_proj", "q_proj", "out_proj"}) attn->add(n, linear(d, d, false));
  int64_t pos_dim = rotary_dim > 0 ? rotary_dim : d;  // sin and cos halves of ceil(pos_dim / 2) each
  attn->buffer("embed_positions", {positions, (pos_dim + 1) / 2 * 2}, DType::F32, false);
  auto mlp = make("GPTJMLP");
  mlp->add("fc_in", linear(d, inner));
  mlp->add("fc_out", linear(inner, d));
  mlp->add("act", leaf(act_class(c.s("activation_function", "gelu_new"))));
  mlp->add("dropout", leaf("Dropout"));
  auto block = make("GPTJBlock");
  block->add("ln_1", layer_norm(d));
  block->add("attn", attn);
  block->add("mlp", mlp);

  auto m = make("GPTJModel");
  m->add("wte", embedding(c.i("vocab_size", 50400), d));
  m->add("drop", leaf("Dropout"));
  m->add("h", repeat(block, layers));
  m->add("ln_f", layer_norm(d));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"GPTJBlock"};
  if (cls == "GPTJModel") return {gptj_model(c), no_split};
  int64_t d = c.i_any({"n_embd", "hidden_size"}), vocab = c.i("vocab_size", 50400);
  auto root = make(std::string(cls));
  root->add("transformer", gptj_model(c));
  if (cls == "GPTJForCausalLM") {
    auto head = heads::lm_head(d, vocab, heads::ties_embeddings(c, false), "transformer.wte.weight");
    head->param("bias", {vocab});
    root->add("lm_head", head);
  } else if (cls == "GPTJForSequenceClassification") {
    root->add("score", linear(d, heads::num_labels(c), false));
  } else if (cls == "GPTJForQuestionAnswering") {
    root->add("qa_outputs", linear(d, heads::num_labels(c)));
  } else {
    heads::unsupported(cls);
  }
  return {root, no_split};
}

MEMFIT_FAMILY({"gptj"}, "GPTJ", build);

}  // namespace
}  // namespace memfit
