// GPTBigCode (SantaCoder, StarCoder): transformers' modeling_gpt_bigcode.py. GPT-2's layout with nn.Linear
// projections; multi-query attention shrinks c_attn to embed + 2 * head_dim; the model holds one boolean causal
// mask `bias` [n_positions, n_positions] (non-persistent).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr attention(int64_t d, int64_t c_attn_out, bool cross) {
  auto a = make("GPTBigCodeAttention");
  a->add("c_attn", linear(d, c_attn_out));
  if (cross) a->add("q_attn", linear(d, d));
  a->add("c_proj", linear(d, d));
  a->add("attn_dropout", leaf("Dropout"));
  a->add("resid_dropout", leaf("Dropout"));
  return a;
}

ModulePtr gpt_bigcode_model(const Config& c, int64_t d) {
  int64_t heads = c.i_any({"n_head", "num_attention_heads"});
  if (heads <= 0 || d % heads != 0) c.missing("n_head");
  bool mq = c.b("multi_query", true), cross = c.b("add_cross_attention", false);
  int64_t kv_dim = (mq ? 1 : heads) * (d / heads), inner = c.i("n_inner", 4 * d);
  int64_t positions = c.i_any({"n_positions", "max_position_embeddings"});
  auto mlp = make("GPTBigCodeMLP");
  mlp->add("c_fc", linear(d, inner));
  mlp->add("c_proj", linear(inner, d));
  mlp->add("act", leaf(act_class(c.s("activation_function", "gelu_pytorch_tanh"))));
  mlp->add("dropout", leaf("Dropout"));
  auto b = make("GPTBigCodeBlock");
  b->add("ln_1", layer_norm(d));
  b->add("attn", attention(d, d + 2 * kv_dim, false));
  b->add("ln_2", layer_norm(d));
  if (cross) {
    b->add("crossattention", attention(d, 2 * d, true));
    b->add("ln_cross_attn", layer_norm(d));
  }
  b->add("mlp", mlp);

  auto m = make("GPTBigCodeModel");
  m->add("wte", embedding(c.i("vocab_size", 50257), d));
  m->add("wpe", embedding(positions, d));
  m->add("drop", leaf("Dropout"));
  m->add("h", repeat(b, c.i_any({"n_layer", "num_hidden_layers"})));
  m->add("ln_f", layer_norm(d));
  m->buffer("bias", {positions, positions}, DType::Bool, false);
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t d = c.i_any({"n_embd", "hidden_size"}), vocab = c.i("vocab_size", 50257);
  return heads::base_or_lm(cls, "GPTBigCodeModel", "GPTBigCodeForCausalLM", gpt_bigcode_model(c, d), "transformer", d,
                           vocab, heads::ties_embeddings(c), "transformer.wte.weight", {"GPTBigCodeBlock"});
}

MEMFIT_FAMILY({"gpt_bigcode"}, "GPTBigCode", build);

}  // namespace
}  // namespace memfit
