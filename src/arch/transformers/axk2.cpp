// A.X K2: transformers' modeling_axk2.py. A DeepSeek-V3.2-style decoder: MLA attention without q_b_proj (q_a_proj,
// q_a_layernorm, a fused q_gate_proj from 2 * q_lora_rank to heads * (qk_head_dim + v_head_dim), kv_a_proj_with_mqa,
// kv_a_layernorm, kv_b_proj, o_proj) with a DSA indexer (wq_b, wk, k_norm LayerNorm, weights_proj); a dense gated MLP
// or a sigmoid-routed MoE (fused experts, router with e_score_correction_bias, shared experts) by mlp_layer_types;
// input_layernorm is a gated RMSNorm (RMSNorm + a rank-gated_norm_rank SiLU MLP gate), post_attention_layernorm too
// on sparse layers and a plain RMSNorm on dense ones. The rotary table covers qk_rope_head_dim (head_dim is set to
// it). AXK2ForCausalLM adds lm_head, untied by default.
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/rename.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr gated_norm(int64_t h, int64_t rank) {
  auto gate = make("AXK2GateMLP");
  gate->add("activation_fn", leaf("SiLU"));
  gate->add("fc1", linear(h, rank, false));
  gate->add("fc2", linear(rank, h, false));
  auto n = make("AXK2GatedRMSNorm");
  n->add("norm", rms_norm("AXK2RMSNorm", h));
  n->add("mlp", gate);
  return n;
}

ModulePtr attention(const Config& c, int64_t h, int64_t heads) {
  int64_t q_rank = moe::count(c, {"q_lora_rank"}, 384), kv_rank = moe::count(c, {"kv_lora_rank"}, 128);
  int64_t nope = moe::count(c, {"qk_nope_head_dim"}, 64), rope = moe::count(c, {"qk_rope_head_dim"}, 32);
  int64_t v = moe::count(c, {"v_head_dim"}, 64);
  int64_t index_heads = moe::count(c, {"index_n_heads"}, 16), index_dim = moe::count(c, {"index_head_dim"}, 128);
  bool bias = c.b("attention_bias", false);
  auto a = make("AXK2Attention");
  a->add("q_a_proj", linear(h, q_rank, bias));
  a->add("q_a_layernorm", rms_norm("AXK2RMSNorm", q_rank));
  a->add("q_gate_proj", linear(2 * q_rank, heads * (nope + rope + v), false));
  a->add("kv_a_proj_with_mqa", linear(h, kv_rank + rope, bias));
  a->add("kv_a_layernorm", rms_norm("AXK2RMSNorm", kv_rank));
  a->add("kv_b_proj", linear(kv_rank, heads * (nope + v), false));
  a->add("o_proj", linear(heads * v, h, bias));
  auto idx = make("AXK2Indexer");
  idx->add("wq_b", linear(q_rank, index_heads * index_dim, false));
  idx->add("wk", linear(h, index_dim, false));
  idx->add("k_norm", layer_norm(index_dim));
  idx->add("weights_proj", linear(h, index_heads, false));
  a->add("indexer", idx);
  return a;
}

ModulePtr axk2_model(const Config& c) {
  int64_t h = moe::count(c, {"hidden_size"}, 2048), layers = moe::count(c, {"num_hidden_layers"}, 48);
  int64_t heads = moe::count(c, {"num_attention_heads"}, 32), rank = moe::count(c, {"gated_norm_rank"}, 16);
  int64_t experts = moe::experts_count(c, {"n_routed_experts", "num_local_experts"}, 128);
  int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 512);
  std::string act = act_class(c.s("hidden_act", "silu"));
  // A.X K2 requires a positive q_lora_rank (its validate_architecture); moe::count checks the sign, this the null.
  if (auto it = c.raw().find("q_lora_rank"); it != c.raw().end() && it->is_null()) c.missing("q_lora_rank");

  auto attn = attention(c, h, heads);
  auto dense = make("AXK2DecoderLayer");
  dense->add("self_attn", attn);
  dense->add("mlp", gated_mlp("AXK2MLP", h, moe::count(c, {"intermediate_size"}, 5120), false, act));
  dense->add("input_layernorm", gated_norm(h, rank));
  dense->add("post_attention_layernorm", rms_norm("AXK2RMSNorm", h));
  auto block = make("AXK2MoE");
  block->add("experts", moe::experts("AXK2Experts", experts, h, moe_inter, act));
  block->add("gate", moe::router("AXK2TopkRouter", experts, h, true));
  block->add("shared_experts",
             gated_mlp("AXK2MLP", h, moe_inter * moe::count(c, {"n_shared_experts"}, 1), false, act));
  auto sparse = make("AXK2DecoderLayer");
  sparse->add("self_attn", attn);
  sparse->add("mlp", block);
  sparse->add("input_layernorm", gated_norm(h, rank));
  sparse->add("post_attention_layernorm", gated_norm(h, rank));

  // mlp_layer_types, else (the legacy keys) sparse from first_k_dense_replace (default 1) every moe_layer_freq.
  auto types = c.strings("mlp_layer_types");
  int64_t first = c.i("first_k_dense_replace", 1), freq = moe::count(c, {"moe_layer_freq"}, 1);
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < checked_count(layers); ++i) {
    bool is_sparse = i < static_cast<int64_t>(types.size()) ? types[i] == "sparse" : i >= first && i % freq == 0;
    ls.push_back(is_sparse ? sparse : dense);
  }
  auto m = make("AXK2Model");
  m->add("embed_tokens", embedding(moe::count(c, {"vocab_size"}, 163840), h));
  m->add("layers", module_list(std::move(ls)));
  m->add("norm", rms_norm("AXK2RMSNorm", h));
  m->add("rotary_emb", rotary("AXK2RotaryEmbedding", moe::count(c, {"qk_rope_head_dim"}, 32)));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"AXK2DecoderLayer"};
  Model m;
  if (cls == "AXK2Model") {
    m = {axk2_model(c), no_split};
  } else if (cls == "AXK2ForCausalLM") {
    auto root = make("AXK2ForCausalLM");
    root->add("model", axk2_model(c));
    root->add("lm_head", heads::lm_head(moe::count(c, {"hidden_size"}, 2048), moe::count(c, {"vocab_size"}, 163840),
                                        heads::ties_embeddings(c, false), "model.embed_tokens.weight"));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  // Saved as the hub checkpoints hold them (the conversion mapping's renames, reverted): experts one per index,
  // the gated norms' gate MLP as W_down / W_up, the fused query/gate projection as q_b_proj.
  m.to_checkpoint = moe::split_experts({}, rename_mapping({
                                               {R"(\.mlp\.fc1\.)", ".W_down."},
                                               {R"(\.mlp\.fc2\.)", ".W_up."},
                                               {R"(\.self_attn\.q_gate_proj\.)", ".self_attn.q_b_proj."},
                                           }));
  return m;
}

MEMFIT_FAMILY({"axk2"}, "AXK2", build);

}  // namespace
}  // namespace memfit
