// MPT: transformers' modeling_mpt.py. Bias-free everything: LayerNorms whose bias is removed, a fused Wqkv, an MLP
// of 4 * d_model (expansion_ratio is not read), no position embeddings (ALiBi is computed, not stored).
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr mpt_model(const Config& c, int64_t d) {
  auto attn = make("MptAttention");
  attn->add("Wqkv", linear(d, 3 * d, false));
  attn->add("out_proj", linear(d, d, false));
  auto ffn = make("MptMLP");
  ffn->add("up_proj", linear(d, 4 * d, false));
  ffn->add("act", leaf("GELU"));
  ffn->add("down_proj", linear(4 * d, d, false));
  auto b = make("MptBlock");
  b->add("norm_1", layer_norm(d, false));
  b->add("attn", attn);
  b->add("norm_2", layer_norm(d, false));
  b->add("ffn", ffn);
  b->add("resid_attn_dropout", leaf("Dropout"));

  auto m = make("MptModel");
  m->add("wte", embedding(c.i("vocab_size", 50368), d));
  m->add("blocks", repeat(b, c.i_any({"n_layers", "num_hidden_layers"})));
  m->add("norm_f", layer_norm(d, false));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  int64_t d = c.i_any({"d_model", "hidden_size"}), vocab = c.i("vocab_size", 50368);
  return heads::base_or_lm(cls, "MptModel", "MptForCausalLM", mpt_model(c, d), "transformer", d, vocab,
                           heads::ties_embeddings(c), "transformer.wte.weight", {"MptBlock"});
}

MEMFIT_FAMILY({"mpt"}, "Mpt", build);

}  // namespace
}  // namespace memfit
