// Mixture-of-experts pieces shared by the MoE families (transformers 5 layout): fused experts, top-k routers,
// shared experts, the per-expert checkpoint split transformers reverts to on save, and config checks.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arch/transformers/decoder.h"
#include "format/config.h"
#include "tree/module.h"

namespace memfit::moe {

// A size read from the config, checked to lie in [lo, hi] (ConfigError otherwise).
int64_t dim(const Config& c, std::string_view key, int64_t v, int64_t lo = 1, int64_t hi = int64_t{1} << 24);
// First present key among `keys` (checked like dim, at least `lo`), else `def`.
int64_t count(const Config& c, std::initializer_list<std::string_view> keys, int64_t def, int64_t lo = 1);
// An expert count (0 allowed; capped at 65536 so per-expert checkpoint listings stay bounded).
int64_t experts_count(const Config& c, std::initializer_list<std::string_view> keys, int64_t def);
// Checks the spec's sizes (layers, heads, dims) so nothing divides by zero or loops without bound.
void check(const Config& c, const DecoderSpec& s);
// read_decoder, with the head count validated first (it divides by it) and the result checked.
DecoderSpec read(const Config& c, std::string prefix, bool tie_default = false);

// XExperts: gate_up_proj [E, 2I, H], down_proj [E, H, I], act_fn (the @use_experts_implementation layout).
ModulePtr experts(const std::string& cls, int64_t num_experts, int64_t hidden, int64_t inter,
                  const std::string& act_cls);
// XTopKRouter: weight [E, H]; `correction_bias` adds the float32 buffer e_score_correction_bias [E].
ModulePtr router(const std::string& cls, int64_t num_experts, int64_t hidden, bool correction_bias = false);

// Qwen2MoeSparseMoeBlock layout: gate (XTopKRouter), experts (XExperts), shared_expert (XMLP of `shared_inter`),
// shared_expert_gate (Linear H -> 1). `prefix` names the classes ("Qwen2Moe" -> Qwen2MoeSparseMoeBlock...).
ModulePtr qwen2_block(const std::string& prefix, int64_t num_experts, int64_t hidden, int64_t inter,
                      int64_t shared_inter, const std::string& act_cls);
// DeepseekV3MoE layout: experts, gate (router, with e_score_correction_bias when `correction_bias`), shared_experts
// (an XMLP of inter x n_shared). Class names are given: the families spell them differently.
struct SharedMoe {
  std::string block_cls, router_cls, experts_cls, mlp_cls, act_cls;
  int64_t num_experts = 0, hidden = 0, inter = 0, n_shared = 0;
  bool correction_bias = false, mlp_bias = false;
};
ModulePtr shared_block(const SharedMoe& m);

// Which layers hold the MoE block: mlp_layer_types ("dense"/"sparse", one per layer) when the config lists it, else
// every layer from first_k_dense_replace (default `first_dense`) on, as the config classes fill the list.
std::vector<bool> sparse_layers(const Config& c, int64_t layers, int64_t first_dense);

// Rotary width: head_dim x partial_rotary_factor (rope_parameters' value, else the config's, else `def`).
int64_t rotary_dim(const Config& c, int64_t head_dim, double def = 1.0);

// transformers 5 keeps experts fused in memory and saves them per expert: `<p>.experts.gate_up_proj` [E, 2I, H]
// becomes `<p>.experts.<e>.<gate>.weight` and `<up>.weight` [I, H]; `<p>.experts.down_proj` [E, H, I] becomes
// `<p>.experts.<e>.<down>.weight` [H, I]. Other tensors pass through; then `rename` (if any) applies to every name.
struct ExpertNames {
  std::string gate = "gate_proj", up = "up_proj", down = "down_proj";
};
CheckpointMapping split_experts(ExpertNames names = {}, CheckpointMapping rename = {});

// The standard decoder layer (self_attn, mlp, input_layernorm, post_attention_layernorm) around `attn` and `mlp`.
ModulePtr layer(const DecoderSpec& s, ModulePtr attn, ModulePtr mlp);
// decoder_for, with layer i built by `pick(i)` (callers return shared nodes so building stays cheap).
Model decoder(DecoderSpec s, std::string_view cls, std::function<ModulePtr(int64_t)> pick);

}  // namespace memfit::moe
