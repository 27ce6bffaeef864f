// Doge: transformers' modeling_doge.py. Llama-shaped attention with a dynamic mask (A [kv_heads], dt_proj
// kv_heads * head_dim -> kv_heads) and per-head q/k norms; layers keep learned residual scales (input_residual,
// post_attention_residual [hidden]); the MLP is Llama's, or with is_moe the cross-domain MoE (DogeCDMoE: a dense
// gated MLP plus router_gate and down/up expert embeddings).
#include <cmath>

#include "arch/transformers/decoder.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

MEMFIT_FAMILY({"doge"}, "Doge", [](const Config& c, std::string_view cls) {
  DecoderSpec s = read_decoder(c, "Doge");
  const bool bias = c.b("attention_bias", false), mlp_bias = c.b("mlp_bias", false);
  s.qkv_bias = s.o_bias = bias;
  s.mlp_bias = mlp_bias;
  auto attn = make("DogeAttention");
  attn->add("q_proj", linear(s.hidden, s.heads * s.head_dim, bias));
  attn->add("k_proj", linear(s.hidden, s.kv_heads * s.head_dim, bias));
  attn->add("v_proj", linear(s.hidden, s.kv_heads * s.head_dim, bias));
  attn->param("A", {s.kv_heads});
  attn->add("dt_proj", linear(s.kv_heads * s.head_dim, s.kv_heads, bias));
  attn->add("o_proj", linear(s.heads * s.head_dim, s.hidden, bias));
  attn->add("q_norm", rms_norm("DogeRMSNorm", s.head_dim));
  attn->add("k_norm", rms_norm("DogeRMSNorm", s.head_dim));
  ModulePtr mlp;
  if (c.b("is_moe", false)) {
    const int64_t experts = checked_count(c.i("num_experts", 16384), "num_experts");
    const auto keys = static_cast<int64_t>(std::floor(std::sqrt(static_cast<double>(experts))));
    mlp = gated_mlp("DogeCDMoE", s.hidden, s.inter, mlp_bias, act_class(s.act));
    mlp->add("router_gate", linear(s.hidden, keys * 2, false));
    mlp->add("down_embed", embedding(experts, s.hidden));
    mlp->add("up_embed", embedding(experts, s.hidden));
  } else {
    mlp = decoder_mlp(s);
  }
  auto layer = make("DogeDecoderLayer");
  layer->add("input_layernorm", rms_norm("DogeRMSNorm", s.hidden));
  layer->add("self_attn", attn);
  layer->param("input_residual", {s.hidden});
  layer->add("post_attention_layernorm", rms_norm("DogeRMSNorm", s.hidden));
  layer->add("mlp", mlp);
  layer->param("post_attention_residual", {s.hidden});
  s.layer = [layer](int64_t) { return layer; };
  return decoder_for(s, cls);
});

}  // namespace
}  // namespace memfit
