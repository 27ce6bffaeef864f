// Qwen3-Next: transformers' modeling_qwen3_next.py. Layers per `layer_types` hold either a gated DeltaNet
// (linear_attn) or full attention whose q_proj also yields an output gate (2 x heads x head_dim); the MLP is a
// Qwen2-MoE sparse block (gate, experts, shared_expert, shared_expert_gate) on the decoder_sparse_step grid.
#include "arch/transformers/qwen3_next.h"

#include <algorithm>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
using namespace blocks;

ModulePtr qwen3_next_text(const Config& c, const NextVariant& v, DecoderSpec* spec_out) {
  const std::string& prefix = v.prefix;
  const bool always_sparse = v.always_sparse;
  DecoderSpec s;  // the config class defaults fill absent keys (Qwen3.5's text config has no intermediate_size)
  s.prefix = prefix;
  s.vocab = moe::count(c, {"vocab_size"}, v.vocab);
  s.hidden = moe::count(c, {"hidden_size"}, 2048);
  s.layers = moe::count(c, {"num_hidden_layers"}, v.layers);
  s.heads = moe::count(c, {"num_attention_heads"}, 16);
  s.kv_heads = moe::count(c, {"num_key_value_heads"}, 2);
  s.head_dim = moe::count(c, {"head_dim"}, 256);
  s.inter = moe::count(c, {"intermediate_size"}, 5632);
  s.act = c.s("hidden_act", "silu");
  s.tie_embeddings = heads::ties_embeddings(c, false);
  moe::check(c, s);
  bool bias = c.b("attention_bias", false);
  s.rotary_dim = moe::rotary_dim(c, s.head_dim, 0.25);
  if (spec_out) *spec_out = s;

  ssm::DeltaNetShape d;
  d.hidden = s.hidden;
  d.k_heads = moe::count(c, {"linear_num_key_heads"}, 16);
  d.v_heads = moe::count(c, {"linear_num_value_heads"}, 32);
  d.k_dim = moe::count(c, {"linear_key_head_dim"}, 128);
  d.v_dim = moe::count(c, {"linear_value_head_dim"}, 128);
  d.conv_kernel = moe::count(c, {"linear_conv_kernel_dim"}, 4);
  d.split_proj = v.split_proj;
  auto attn = make(prefix + "Attention");
  attn->add("q_proj", linear(s.hidden, 2 * s.heads * s.head_dim, bias));
  attn->add("k_proj", linear(s.hidden, s.kv_heads * s.head_dim, bias));
  attn->add("v_proj", linear(s.hidden, s.kv_heads * s.head_dim, bias));
  attn->add("o_proj", linear(s.heads * s.head_dim, s.hidden, bias));
  attn->add("q_norm", rms_norm(prefix + "RMSNorm", s.head_dim));
  attn->add("k_norm", rms_norm(prefix + "RMSNorm", s.head_dim));
  auto linear_attn = ssm::gated_deltanet(prefix, d);

  int64_t experts = moe::experts_count(c, {"num_experts"}, v.experts);
  auto sparse = moe::qwen2_block(prefix, experts, s.hidden, moe::count(c, {"moe_intermediate_size"}, 512),
                                 moe::count(c, {"shared_expert_intermediate_size"}, 512), act_class(s.act));
  auto dense = always_sparse ? sparse : decoder_mlp(s);
  std::vector<int64_t> mlp_only = c.has("mlp_only_layers") ? c.ints("mlp_only_layers") : std::vector<int64_t>{};
  int64_t step = moe::count(c, {"decoder_sparse_step"}, 1);
  std::vector<std::string> types = c.strings("layer_types");
  int64_t interval = moe::count(c, {"full_attention_interval"}, 4);
  if (types.empty())
    for (int64_t i = 0; i < s.layers; ++i) types.push_back((i + 1) % interval ? "linear_attention" : "full_attention");
  if (static_cast<int64_t>(types.size()) < s.layers) throw ConfigError("config key `layer_types` is too short");

  // Four layer kinds: {linear, full} x {dense, sparse}, each one shared node.
  ModulePtr kinds[2][2];
  for (int full = 0; full < 2; ++full)
    for (int is_sparse = 0; is_sparse < 2; ++is_sparse) {
      auto l = make(prefix + "DecoderLayer");
      l->add(full ? "self_attn" : "linear_attn", full ? attn : linear_attn);
      l->add("mlp", is_sparse ? sparse : dense);
      l->add("input_layernorm", rms_norm(prefix + "RMSNorm", s.hidden));
      l->add("post_attention_layernorm", rms_norm(prefix + "RMSNorm", s.hidden));
      kinds[full][is_sparse] = l;
    }
  s.layer = [&](int64_t i) {
    bool is_sparse = always_sparse || (std::find(mlp_only.begin(), mlp_only.end(), i) == mlp_only.end() &&
                                       experts > 0 && (i + 1) % step == 0);
    return kinds[types[i] == "full_attention"][is_sparse];
  };
  return decoder_model(s);
}

namespace {

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s;
  auto text = qwen3_next_text(c, {"Qwen3Next", 151936, 48, 512, false, false}, &s);
  Model m = heads::base_or_causal_lm(cls, "Qwen3NextModel", "Qwen3NextForCausalLM", text, s.hidden, s.vocab,
                                     s.tie_embeddings, {"Qwen3NextDecoderLayer"});
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"qwen3_next"}, "Qwen3Next", build);

}  // namespace
}  // namespace memfit
