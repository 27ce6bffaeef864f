// DBRX: transformers' modeling_dbrx.py. DbrxModel = rotary_emb, wte, blocks of DbrxBlock (norm_attn_norm: two
// bias-free LayerNorms around a fused Wqkv / out_proj attention; ffn: router.layer and experts.mlp holding w1, v1, w2
// as [experts * ffn_hidden_size, d_model] matrices), norm_f. Sizes come from the attn_config / ffn_config
// sub-configs; ffn_config.hidden_size always follows d_model. Checkpoints hold the same names.
#include <fmt/format.h>

#include "arch/transformers/lm_head.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr dbrx_model(const Config& c) {
  const int64_t d = moe::count(c, {"d_model"}, 2048), heads = moe::count(c, {"n_heads"}, 16);
  const int64_t layers = checked_count(c.i("n_layers", 24)), vocab = moe::count(c, {"vocab_size"}, 32000);
  const Config attn_cfg = c.sub("attn_config"), ffn_cfg = c.sub("ffn_config");
  // DbrxAttention reads attn_config.rope_theta, a key DbrxAttentionConfig has no default for.
  if (!attn_cfg.has("rope_theta"))
    throw ConfigError(fmt::format("config key `attn_config.rope_theta` is missing: DbrxAttention reads it, as in "
                                  "transformers (model_type `{}`)", c.model_type()));
  const int64_t kv = moe::count(attn_cfg, {"kv_n_heads"}, 1), head_dim = d / heads;
  const int64_t experts = moe::experts_count(ffn_cfg, {"moe_num_experts"}, 4);
  const int64_t ffn = moe::count(ffn_cfg, {"ffn_hidden_size"}, 3584);
  std::string act = "silu";
  if (auto j = ffn_cfg.raw().find("ffn_act_fn"); j != ffn_cfg.raw().end() && j->is_object() && j->contains("name") &&
                                                   (*j)["name"].is_string())
    act = (*j)["name"].get<std::string>();

  auto attn = make("DbrxAttention");
  attn->add("Wqkv", linear(d, d + 2 * kv * head_dim, false));
  attn->add("out_proj", linear(d, d, false));
  auto nan = make("DbrxNormAttentionNorm");
  nan->add("norm_1", layer_norm(d, false));
  nan->add("attn", attn);
  nan->add("norm_2", layer_norm(d, false));

  auto router = make("DbrxRouter");
  router->add("layer", linear(d, experts, false));
  auto glu = make("DbrxExpertGLU");
  for (const char* w : {"w1", "v1", "w2"}) glu->param(w, {experts * ffn, d});
  glu->add("activation_fn", leaf(act_class(act)));
  auto expert_mod = make("DbrxExperts");
  expert_mod->add("mlp", glu);
  auto ffn_mod = make("DbrxFFN");
  ffn_mod->add("router", router);
  ffn_mod->add("experts", expert_mod);

  auto block = make("DbrxBlock");
  block->add("norm_attn_norm", nan);
  block->add("ffn", ffn_mod);

  auto m = make("DbrxModel");
  m->add("rotary_emb", rotary("DbrxRotaryEmbedding", head_dim));
  m->add("wte", embedding(vocab, d));
  m->add("blocks", repeat(block, layers));
  m->add("norm_f", layer_norm(d, false));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  // DbrxConfig.validate_architecture: DBRX does not tie its embeddings.
  if (c.b("tie_word_embeddings", false))
    throw ConfigError("tie_word_embeddings is not supported for DBRX models (model_type `dbrx`)");
  return heads::base_or_lm(cls, "DbrxModel", "DbrxForCausalLM", dbrx_model(c), "transformer", c.i("d_model", 2048),
                           c.i("vocab_size", 32000), false, "transformer.wte.weight", {"DbrxBlock"});
}

MEMFIT_FAMILY({"dbrx"}, "Dbrx", build);

}  // namespace
}  // namespace memfit
