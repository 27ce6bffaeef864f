// EXAONE 4.0: transformers' modeling_exaone4.py. Llama with per-head q_norm/k_norm and norms after attention and
// MLP only (post_attention_layernorm, post_feedforward_layernorm); sliding-window layer types change no tensor.
// EXAONE-MoE (modeling_exaone_moe.py): q/k norms, Llama's two norms per layer, and DeepSeek-V3-style MoE blocks
// (router with correction bias, shared experts) on the layers mlp_layer_types lists as sparse.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {

MEMFIT_FAMILY({"exaone4"}, "Exaone4", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Exaone4");
  s.kv_heads = c.i("num_key_value_heads", 32);
  s.qk_norm = true;
  s.layer_norms = {"post_attention_layernorm", "post_feedforward_layernorm"};
  return decoder_for(s, cls);
});

MEMFIT_FAMILY({"exaone_moe"}, "ExaoneMoe", [](const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "ExaoneMoe");
  s.qk_norm = true;
  moe::SharedMoe sm{"ExaoneMoeSparseMoEBlock", "ExaoneMoeTopkRouter", "ExaoneMoeExperts", "ExaoneMoeMLP",
                    blocks::act_class(s.act)};
  sm.num_experts = moe::experts_count(c, {"num_experts"}, 64);
  sm.hidden = s.hidden;
  sm.inter = moe::count(c, {"moe_intermediate_size"}, 1024);
  sm.n_shared = moe::count(c, {"num_shared_experts"}, 1, 0);
  sm.correction_bias = true;
  const std::vector<bool> sparse_at = moe::sparse_layers(c, s.layers, 1);
  auto attn = decoder_attention(s);
  auto dense = moe::layer(s, attn, decoder_mlp(s)), sparse = moe::layer(s, attn, moe::shared_block(sm));
  Model m = moe::decoder(s, cls, [=](int64_t i) { return sparse_at[i] ? sparse : dense; });
  m.to_checkpoint = moe::split_experts();
  return m;
});

}  // namespace
}  // namespace memfit
