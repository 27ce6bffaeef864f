// LFM2-MoE: transformers' modeling_lfm2_moe.py. LFM2's layers (attention with per-head q/k_layernorm, or the gated
// short convolution) whose feed_forward is a dense w1/w3/w2 MLP of intermediate_size for the first num_dense_layers
// layers and Lfm2MoeSparseMoeBlock after (fused experts of moe_intermediate_size without an activation module, a
// router `gate`, and the float32 buffer expert_bias when use_expert_bias). The model holds embed_tokens, layers,
// pos_emb (the rotary embedding) and embedding_norm. layer_types has no class default: transformers fails without
// it, and so does memfit. Checkpoints hold per-expert w1/w3/w2 (conversion_mapping "lfm2_moe").
#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace {
using namespace blocks;

ModulePtr lfm2_moe_model(const Config& c) {
  DecoderSpec s;
  s.vocab = moe::count(c, {"vocab_size"}, 65536);
  s.hidden = moe::count(c, {"hidden_size"}, 2048);
  s.layers = moe::count(c, {"num_hidden_layers"}, 32);
  s.heads = moe::count(c, {"num_attention_heads"}, 32);
  s.kv_heads = moe::count(c, {"num_key_value_heads"}, 8);
  s.head_dim = moe::count(c, {"head_dim"}, s.hidden / s.heads);
  s.inter = moe::count(c, {"intermediate_size"}, 7168);
  moe::check(c, s);
  const int64_t h = s.hidden, kernel = moe::count(c, {"conv_L_cache"}, 3);
  const int64_t experts = moe::experts_count(c, {"num_experts"}, 32);
  const int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 1792);
  const int64_t dense_layers = moe::count(c, {"num_dense_layers"}, 2, 0);
  const bool conv_bias = c.b("conv_bias", false);
  const std::vector<std::string> types = c.strings("layer_types");
  if (static_cast<int64_t>(types.size()) < s.layers)
    throw ConfigError(fmt::format("config key `layer_types` lists {} layers, not {}: Lfm2MoeDecoderLayer indexes it, "
                                  "as in transformers (model_type `{}`)", types.size(), s.layers, c.model_type()));

  auto attn = make("Lfm2MoeAttention");
  attn->add("q_proj", linear(h, s.heads * s.head_dim, false));
  attn->add("k_proj", linear(h, s.kv_heads * s.head_dim, false));
  attn->add("v_proj", linear(h, s.kv_heads * s.head_dim, false));
  attn->add("out_proj", linear(s.heads * s.head_dim, h, false));
  attn->add("q_layernorm", rms_norm("Lfm2MoeRMSNorm", s.head_dim));
  attn->add("k_layernorm", rms_norm("Lfm2MoeRMSNorm", s.head_dim));
  auto conv = make("Lfm2MoeShortConv");
  conv->add("conv", ssm::depthwise_conv1d(h, kernel, conv_bias));
  conv->add("in_proj", linear(h, 3 * h, conv_bias));
  conv->add("out_proj", linear(h, h, conv_bias));

  auto dense = make("Lfm2MoeMLP");
  dense->add("w1", linear(h, s.inter, false));
  dense->add("w3", linear(h, s.inter, false));
  dense->add("w2", linear(s.inter, h, false));
  auto experts_mod = make("Lfm2MoeExperts");  // act_fn is F.silu, a function: no module
  experts_mod->param("gate_up_proj", {experts, 2 * moe_inter, h});
  experts_mod->param("down_proj", {experts, h, moe_inter});
  auto sparse = make("Lfm2MoeSparseMoeBlock");
  sparse->add("experts", experts_mod);
  sparse->add("gate", moe::router("Lfm2MoeTopKRouter", experts, h));
  if (c.b("use_expert_bias", true)) sparse->buffer("expert_bias", {experts}, DType::F32);

  // One node per (operator, feed-forward) pair, shared by every layer of that kind.
  ModulePtr kinds[2][2];
  for (int is_attn = 0; is_attn < 2; ++is_attn)
    for (int is_sparse = 0; is_sparse < 2; ++is_sparse) {
      auto l = make("Lfm2MoeDecoderLayer");
      l->add(is_attn ? "self_attn" : "conv", is_attn ? attn : conv);
      l->add("feed_forward", is_sparse ? sparse : dense);
      l->add("operator_norm", rms_norm("Lfm2MoeRMSNorm", h));
      l->add("ffn_norm", rms_norm("Lfm2MoeRMSNorm", h));
      kinds[is_attn][is_sparse] = l;
    }
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < s.layers; ++i) ls.push_back(kinds[types[i] == "full_attention"][i >= dense_layers]);

  auto m = make("Lfm2MoeModel");
  m->add("embed_tokens", embedding(s.vocab, h));
  m->add("layers", module_list(std::move(ls)));
  m->add("pos_emb", rotary("Lfm2MoeRotaryEmbedding", s.head_dim));
  m->add("embedding_norm", rms_norm("Lfm2MoeRMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Model m = heads::base_or_causal_lm(cls, "Lfm2MoeModel", "Lfm2MoeForCausalLM", lfm2_moe_model(c),
                                     c.i("hidden_size", 2048), c.i("vocab_size", 65536),
                                     c.b("tie_embedding", heads::ties_embeddings(c, true)), {"Lfm2MoeDecoderLayer"});
  m.to_checkpoint = moe::split_experts({"w1", "w3", "w2"});
  return m;
}

MEMFIT_FAMILY({"lfm2_moe"}, "Lfm2Moe", build);

}  // namespace
}  // namespace memfit
