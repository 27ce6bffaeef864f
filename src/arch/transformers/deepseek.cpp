// DeepSeek-V2 and -V3: transformers' modeling_deepseek_v2.py / modeling_deepseek_v3.py. Multi-head latent attention
// (q_proj or the q_a/q_b low-rank pair, kv_a_proj_with_mqa, kv_b_proj), dense MLPs on the first
// `first_k_dense_replace` layers, then MoE blocks with routed and shared experts.
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr mla_attention(const Config& c, const DecoderSpec& s) {
  int64_t nope = moe::count(c, {"qk_nope_head_dim"}, 128), rope = moe::count(c, {"qk_rope_head_dim"}, 64);
  int64_t v_dim = moe::count(c, {"v_head_dim"}, 128), kv_rank = moe::count(c, {"kv_lora_rank"}, 512);
  bool bias = c.b("attention_bias", false);
  // q_lora_rank: absent means the class default 1536; an explicit null means no low-rank query.
  const Json& raw = c.raw();
  bool q_null = raw.contains("q_lora_rank") && raw["q_lora_rank"].is_null();
  int64_t q_rank = q_null ? 0 : moe::count(c, {"q_lora_rank"}, 1536);
  auto a = make(s.prefix + "Attention");
  if (q_rank == 0) {
    a->add("q_proj", linear(s.hidden, s.heads * (nope + rope), false));
  } else {
    a->add("q_a_proj", linear(s.hidden, q_rank, bias));
    a->add("q_a_layernorm", rms_norm(s.prefix + "RMSNorm", q_rank));
    a->add("q_b_proj", linear(q_rank, s.heads * (nope + rope), false));
  }
  a->add("kv_a_proj_with_mqa", linear(s.hidden, kv_rank + rope, bias));
  a->add("kv_a_layernorm", rms_norm(s.prefix + "RMSNorm", kv_rank));
  a->add("kv_b_proj", linear(kv_rank, s.heads * (nope + v_dim), false));
  a->add("o_proj", linear(s.heads * v_dim, s.hidden, bias));
  return a;
}

Model build(const Config& c, std::string_view cls, const std::string& prefix, bool v3) {
  DecoderSpec s = moe::read(c, prefix);
  s.head_dim = s.rotary_dim = moe::count(c, {"qk_rope_head_dim"}, 64);  // config.head_dim = qk_rope_head_dim
  s.mlp_bias = !v3 && c.b("mlp_bias", false);
  moe::SharedMoe sm;
  sm.block_cls = prefix + (v3 ? "MoE" : "Moe");
  sm.router_cls = prefix + "TopkRouter";
  sm.experts_cls = prefix + "Experts";
  sm.mlp_cls = prefix + "MLP";
  sm.act_cls = act_class(s.act);
  sm.num_experts = moe::experts_count(c, {"n_routed_experts"}, v3 ? 256 : 64);
  sm.hidden = s.hidden;
  sm.inter = moe::count(c, {"moe_intermediate_size"}, v3 ? 2048 : 1407);
  sm.n_shared = moe::count(c, {"n_shared_experts"}, v3 ? 1 : 2, 0);
  sm.correction_bias = v3;
  sm.mlp_bias = s.mlp_bias;
  int64_t first_dense = moe::count(c, {"first_k_dense_replace"}, v3 ? 3 : 0, 0);
  auto attn = mla_attention(c, s);
  auto dense = moe::layer(s, attn, decoder_mlp(s)), sparse = moe::layer(s, attn, moe::shared_block(sm));
  Model m = moe::decoder(s, cls, [=](int64_t i) { return i >= first_dense ? sparse : dense; });
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"deepseek_v2"}, "DeepseekV2",
              [](const Config& c, std::string_view cls) { return build(c, cls, "DeepseekV2", false); });
MEMFIT_FAMILY({"deepseek_v3"}, "DeepseekV3",
              [](const Config& c, std::string_view cls) { return build(c, cls, "DeepseekV3", true); });

}  // namespace
}  // namespace memfit
