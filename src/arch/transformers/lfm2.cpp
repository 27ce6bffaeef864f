// LFM2: transformers' modeling_lfm2.py. Decoder layers that are either attention (q/k/v/out_proj with per-head
// q_layernorm/k_layernorm) or a gated short convolution (conv, in_proj, out_proj), each with a w1/w3/w2 SwiGLU MLP.
// LFM2-MoE (modeling_lfm2_moe.py): the same layers under its prefix, whose feed_forward is the dense MLP of
// intermediate_size for the first num_dense_layers layers and Lfm2MoeSparseMoeBlock after (fused experts of
// moe_intermediate_size without an activation module, a router `gate`, the float32 buffer expert_bias when
// use_expert_bias); its model names the rotary embedding `pos_emb`. layer_types has no LFM2-MoE class default:
// transformers fails without it, and so does memfit. MoE checkpoints hold per-expert w1/w3/w2.
#include <algorithm>
#include <array>
#include <cmath>

#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// Lfm2MLP's width: 2/3 of intermediate_size, times block_ffn_dim_multiplier, rounded up to block_multiple_of.
int64_t ff_dim(const Config& c) {
  int64_t inter = moe::count(c, {"block_ff_dim", "intermediate_size"}, 12288);
  if (!c.b("block_auto_adjust_ff_dim", true)) return inter;
  inter = static_cast<int64_t>(2.0 * static_cast<double>(inter) / 3.0);
  if (c.has("block_ffn_dim_multiplier")) {
    int64_t multiple = moe::count(c, {"block_multiple_of"}, 256);
    inter = static_cast<int64_t>(c.f("block_ffn_dim_multiplier", 1.0) * static_cast<double>(inter));
    inter = multiple * ((inter + multiple - 1) / multiple);
  }
  return moe::dim(c, "intermediate_size", inter);
}

DecoderSpec lfm2_spec(const Config& c, int64_t hidden_default) {
  DecoderSpec s;
  s.vocab = moe::count(c, {"vocab_size"}, 65536);
  s.hidden = moe::count(c, {"hidden_size"}, hidden_default);
  s.layers = moe::count(c, {"num_hidden_layers"}, 32);
  s.heads = moe::count(c, {"num_attention_heads", "num_heads"}, 32);
  s.kv_heads = moe::count(c, {"num_key_value_heads"}, 8);
  s.head_dim = moe::count(c, {"head_dim"}, s.hidden / s.heads);
  moe::check(c, s);
  return s;
}

ModulePtr lfm2_mlp(const std::string& p, int64_t h, int64_t ff) {
  auto mlp = make(p + "MLP");
  mlp->add("w1", linear(h, ff, false));
  mlp->add("w3", linear(h, ff, false));
  mlp->add("w2", linear(ff, h, false));
  return mlp;
}

// The two operators, [0] the short convolution and [1] attention.
std::array<ModulePtr, 2> lfm2_operators(const std::string& p, const Config& c, const DecoderSpec& s) {
  const int64_t h = s.hidden, kernel = moe::count(c, {"conv_L_cache"}, 3);
  const bool conv_bias = c.b("conv_bias", false);
  auto attn = make(p + "Attention");
  attn->add("q_proj", linear(h, s.heads * s.head_dim, false));
  attn->add("k_proj", linear(h, s.kv_heads * s.head_dim, false));
  attn->add("v_proj", linear(h, s.kv_heads * s.head_dim, false));
  attn->add("out_proj", linear(s.heads * s.head_dim, h, false));
  attn->add("q_layernorm", rms_norm(p + "RMSNorm", s.head_dim));
  attn->add("k_layernorm", rms_norm(p + "RMSNorm", s.head_dim));
  auto conv = make(p + "ShortConv");
  conv->add("conv", ssm::depthwise_conv1d(h, kernel, conv_bias));
  conv->add("in_proj", linear(h, 3 * h, conv_bias));
  conv->add("out_proj", linear(h, h, conv_bias));
  return {conv, attn};
}

ModulePtr lfm2_layer(const std::string& p, const std::array<ModulePtr, 2>& ops, bool is_attn, ModulePtr ffn,
                     int64_t h) {
  auto l = make(p + "DecoderLayer");
  l->add(is_attn ? "self_attn" : "conv", ops[is_attn]);
  l->add("feed_forward", std::move(ffn));
  l->add("operator_norm", rms_norm(p + "RMSNorm", h));
  l->add("ffn_norm", rms_norm(p + "RMSNorm", h));
  return l;
}

ModulePtr lfm2_model(const Config& c) {
  DecoderSpec s = lfm2_spec(c, 2560);
  std::vector<std::string> types = c.strings("layer_types");
  if (types.empty()) {
    std::vector<int64_t> full = c.has("full_attn_idxs") ? c.ints("full_attn_idxs") : std::vector<int64_t>{};
    for (int64_t i = 0; i < s.layers; ++i)
      types.push_back(!c.has("full_attn_idxs") || std::count(full.begin(), full.end(), i) ? "full_attention" : "conv");
  }
  if (static_cast<int64_t>(types.size()) < s.layers) throw ConfigError("config key `layer_types` is too short");
  const auto ops = lfm2_operators("Lfm2", c, s);
  auto mlp = lfm2_mlp("Lfm2", s.hidden, ff_dim(c));
  const ModulePtr kinds[2] = {lfm2_layer("Lfm2", ops, false, mlp, s.hidden),
                              lfm2_layer("Lfm2", ops, true, mlp, s.hidden)};
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < s.layers; ++i) ls.push_back(kinds[types[i] == "full_attention"]);

  auto m = make("Lfm2Model");
  m->add("embed_tokens", embedding(s.vocab, s.hidden));
  m->add("layers", module_list(std::move(ls)));
  m->add("rotary_emb", rotary("Lfm2RotaryEmbedding", moe::rotary_dim(c, s.head_dim)));
  m->add("embedding_norm", rms_norm("Lfm2RMSNorm", s.hidden));
  return m;
}

ModulePtr lfm2_moe_model(const Config& c) {
  const std::string p = "Lfm2Moe";
  DecoderSpec s = lfm2_spec(c, 2048);
  const std::vector<std::string> types = c.strings("layer_types");
  if (static_cast<int64_t>(types.size()) < s.layers)
    throw ConfigError(fmt::format("config key `layer_types` lists {} layers, not {}: Lfm2MoeDecoderLayer indexes it, "
                                  "as in transformers (model_type `{}`)", types.size(), s.layers, c.model_type()));
  const int64_t h = s.hidden, experts = moe::experts_count(c, {"num_experts"}, 32);
  const int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 1792);
  const int64_t dense_layers = moe::count(c, {"num_dense_layers"}, 2, 0);
  auto experts_mod = make(p + "Experts");  // act_fn is F.silu, a function: no module
  experts_mod->param("gate_up_proj", {experts, 2 * moe_inter, h});
  experts_mod->param("down_proj", {experts, h, moe_inter});
  auto sparse = make(p + "SparseMoeBlock");
  sparse->add("experts", experts_mod);
  sparse->add("gate", moe::router(p + "TopKRouter", experts, h));
  if (c.b("use_expert_bias", true)) sparse->buffer("expert_bias", {experts}, DType::F32);
  const ModulePtr ffn[2] = {lfm2_mlp(p, h, moe::count(c, {"intermediate_size"}, 7168)), sparse};

  const auto ops = lfm2_operators(p, c, s);
  ModulePtr kinds[2][2];  // [attention][sparse], one node per kind shared by its layers
  for (int a = 0; a < 2; ++a)
    for (int sp = 0; sp < 2; ++sp) kinds[a][sp] = lfm2_layer(p, ops, a, ffn[sp], h);
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < s.layers; ++i) ls.push_back(kinds[types[i] == "full_attention"][i >= dense_layers]);

  auto m = make(p + "Model");
  m->add("embed_tokens", embedding(s.vocab, h));
  m->add("layers", module_list(std::move(ls)));
  m->add("pos_emb", rotary(p + "RotaryEmbedding", s.head_dim));
  m->add("embedding_norm", rms_norm(p + "RMSNorm", h));
  return m;
}

// LFM2 configs may spell the tie `tie_embedding` (the config classes pop it into tie_word_embeddings).
Model build(const Config& c, std::string_view cls, const std::string& p) {
  ModulePtr text = p == "Lfm2" ? lfm2_model(c) : lfm2_moe_model(c);
  const bool tied = c.b("tie_embedding", heads::ties_embeddings(c, true));
  Model m = heads::base_or_causal_lm(cls, p + "Model", p + "ForCausalLM", text, c.i("hidden_size"),
                                     c.i("vocab_size"), tied, {p + "DecoderLayer"});
  if (p == "Lfm2Moe") m.to_checkpoint = moe::split_experts({"w1", "w3", "w2"});
  return m;
}

MEMFIT_FAMILY({"lfm2"}, "Lfm2", [](const Config& c, std::string_view cls) { return build(c, cls, "Lfm2"); });
MEMFIT_FAMILY({"lfm2_moe"}, "Lfm2Moe", [](const Config& c, std::string_view cls) { return build(c, cls, "Lfm2Moe"); });

}  // namespace
}  // namespace memfit
