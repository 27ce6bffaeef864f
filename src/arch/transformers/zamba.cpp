// Zamba and Zamba2: transformers' modeling_zamba.py / modeling_zamba2.py. Mamba layers (ZambaMambaMixer: multi-head selective scan with per-head
// x_proj / dt_proj weights) and, where layers_block_type says "hybrid", ZambaHybridLayer: one attention block
// (shared_transf: attention over 2 * hidden_size inputs, gated MLP, two norms) tied across all hybrid layers to the
// first one, a Linear, and the layer's own Mamba layer.
#include <algorithm>
#include <set>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"
#include "arch/transformers/ssm.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

// A copy of `m` whose every parameter is tied to the same name under `target` (the first hybrid layer's block).
ModulePtr tied_copy(const ModulePtr& m, const std::string& target) {
  auto out = make(m->cls);
  for (const auto& [n, t] : m->params) out->tie(n, t.shape, target + "." + n);
  for (const auto& [n, t] : m->buffers) out->buffers.emplace_back(n, t);
  for (const auto& [n, ch] : m->children) out->add(n, tied_copy(ch, target + "." + n));
  return out;
}

Model build(const Config& c, std::string_view cls) {
  const int64_t h = c.i("hidden_size", 3712), ah = c.i("attention_hidden_size", 2 * h);
  const int64_t heads = c.i("num_attention_heads", 16), kv = c.i("num_key_value_heads", heads);
  const int64_t hd = c.i("attention_head_dim", ah / std::max<int64_t>(heads, 1));
  const int64_t inter = c.i("intermediate_size", 4 * h), vocab = c.i("vocab_size", 32000);
  const int64_t expand = c.i("mamba_expand", 2), mh = c.i("n_mamba_heads", 2);
  const int64_t mi = expand * h, state = c.i("mamba_d_state", 16), rank = c.i("mamba_dt_rank", (h + 15) / 16);
  if (mh <= 0 || mi % mh != 0) throw ConfigError("mamba_expand * hidden_size must split into n_mamba_heads (zamba)");
  const int64_t mhd = mi / mh;
  const bool proj_bias = c.b("mamba_proj_bias", false);
  std::vector<std::string> types = c.strings("layers_block_type");
  if (types.empty()) c.missing("layers_block_type");
  checked_count(static_cast<int64_t>(types.size()));

  auto mixer = make("ZambaMambaMixer");
  mixer->add("conv1d", ssm::depthwise_conv1d(mi, c.i("mamba_d_conv", 4), c.b("mamba_conv_bias", true)));
  mixer->add("act", leaf(act_class(c.s("hidden_mamba_act", "silu"))));
  mixer->add("in_proj", linear(h, 2 * mi, proj_bias));
  mixer->param("x_proj_weight", {mh, rank + 2 * state, mhd});
  mixer->param("dt_proj_weight", {mh, mhd, rank});
  mixer->param("dt_proj_bias", {mh, mhd});
  mixer->param("A_log", {mh, mhd, state});
  mixer->param("D", {mh, mhd});
  mixer->add("out_proj", linear(mi, h, proj_bias));
  auto mamba = make("ZambaMambaDecoderLayer");
  mamba->add("mamba", mixer);
  mamba->add("input_layernorm", rms_norm("ZambaRMSNorm", h));

  auto attn = make("ZambaAttention");
  attn->add("q_proj", linear(ah, heads * hd, false));
  attn->add("k_proj", linear(ah, kv * hd, false));
  attn->add("v_proj", linear(ah, kv * hd, false));
  attn->add("o_proj", linear(heads * hd, h, false));
  auto block = make("ZambaAttentionDecoderLayer");
  block->add("self_attn", attn);
  block->add("feed_forward", gated_mlp("ZambaMLP", h, inter, false, act_class(c.s("hidden_act", "gelu"))));
  block->add("input_layernorm", rms_norm("ZambaRMSNorm", ah));
  block->add("pre_ff_layernorm", rms_norm("ZambaRMSNorm", h));

  const std::string base = cls == "ZambaModel" ? "" : "model.";
  std::vector<ModulePtr> layers;
  ModulePtr tied;  // the shared block of every hybrid layer after the first
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] != "hybrid") {
      layers.push_back(mamba);
      continue;
    }
    auto hy = make("ZambaHybridLayer");
    hy->add("shared_transf", tied ? tied : block);
    if (!tied) tied = tied_copy(block, base + "layers." + std::to_string(i) + ".shared_transf");
    hy->add("linear", linear(h, h, false));
    hy->add("mamba_decoder", mamba);
    layers.push_back(hy);
  }
  auto m = make("ZambaModel");
  m->add("embed_tokens", embedding(vocab, h));
  m->add("layers", module_list(std::move(layers)));
  m->add("final_layernorm", rms_norm("ZambaRMSNorm", h));
  const std::vector<std::string> no_split{"ZambaHybridLayer", "ZambaMambaDecoderLayer"};
  return heads::base_or_lm(cls, "ZambaModel", "ZambaForCausalLM", m, "model", h, vocab,
                           heads::ties_embeddings(c, true), "model.embed_tokens.weight", no_split);
}

MEMFIT_FAMILY({"zamba"}, "Zamba", build);

// The full names of the parameters under `m` (prefix + "." + path).
void param_paths(const ModulePtr& m, const std::string& prefix, std::set<std::string>& out) {
  for (const auto& [n, t] : m->params) out.insert(prefix + "." + n);
  for (const auto& [n, ch] : m->children) param_paths(ch, prefix + "." + n, out);
}
// `m` with each parameter that `target` also holds (same path) tied to it; the others stay its own.
ModulePtr tie_present(const ModulePtr& m, const std::string& target, const std::set<std::string>& present) {
  auto out = make(m->cls);
  for (const auto& [n, t] : m->params) {
    const std::string name = target + "." + n;
    if (present.count(name)) out->tie(n, t.shape, name);
    else out->params.emplace_back(n, t);
  }
  for (const auto& [n, t] : m->buffers) out->buffers.emplace_back(n, t);
  for (const auto& [n, ch] : m->children) out->add(n, tie_present(ch, target + "." + n, present));
  return out;
}

// Zamba2 (modeling_zamba2.py): Mamba-2 layers, and hybrid layers whose shared_transformer (attention over
// 2 * hidden_size inputs with optional LoRA-style q/k/v adapters, a fused gate_up MLP with one adapter per hybrid
// layer of its block, two norms) repeats every num_mem_blocks hybrid layers: later hybrid layers tie theirs to the
// first num_mem_blocks ones in turn.
Model zamba2(const Config& c, std::string_view cls) {
  const int64_t h = c.i("hidden_size", 2560), ah = c.i("attention_hidden_size", 2 * h);
  const int64_t heads = c.i("num_attention_heads", 32), kv = c.i("num_key_value_heads", heads);
  const int64_t hd = c.i("attention_head_dim", ah / std::max<int64_t>(heads, 1));
  const int64_t inter = c.i("intermediate_size", 4 * h), vocab = c.i("vocab_size", 32000), rank = c.i("adapter_rank", 128);
  const int64_t mem = c.i("num_mem_blocks", 1);
  if (mem <= 0) throw ConfigError("`num_mem_blocks` must be positive (model_type `zamba2`)");
  const bool bias = c.b("add_bias_linear", false), attn_adapters = c.b("use_shared_attention_adapter", false);
  std::vector<std::string> types = c.strings("layers_block_type");
  if (types.empty()) c.missing("layers_block_type");
  checked_count(static_cast<int64_t>(types.size()));
  const int64_t hybrids = std::count(types.begin(), types.end(), std::string("hybrid"));

  ssm::Mamba2Shape ms;
  ms.hidden = h;
  ms.inter = c.i("mamba_expand", 2) * h;
  ms.heads = c.i("n_mamba_heads", 8);
  ms.groups = c.i("mamba_ngroups", 1);
  ms.state = c.i("mamba_d_state", 64);
  ms.conv_kernel = c.i("mamba_d_conv", 4);
  ms.proj_bias = ms.out_bias = bias;
  ms.act_cls = "SiLU";
  ms.norm_cls = "Zamba2RMSNormGated";
  auto mamba = make("Zamba2MambaDecoderLayer");
  mamba->add("mamba", ssm::mamba2_mixer("Zamba2MambaMixer", ms));
  mamba->add("input_layernorm", rms_norm("Zamba2RMSNorm", h));

  auto adapter = [&](int64_t in, int64_t out) {
    auto sq = make("Sequential");
    sq->add("0", linear(in, rank, false));
    sq->add("1", linear(rank, out, false));
    return sq;
  };
  // Zamba2AttentionDecoderLayer for block `block_id`: adapter i is real when i % num_mem_blocks == block_id.
  auto shared_block = [&](int64_t block_id) {
    auto attn = make("Zamba2Attention");
    attn->add("q_proj", linear(ah, heads * hd, false));
    attn->add("k_proj", linear(ah, kv * hd, false));
    attn->add("v_proj", linear(ah, kv * hd, false));
    attn->add("o_proj", linear(heads * hd, h, false));
    if (attn_adapters)
      for (const char* n : {"linear_q_adapter_list", "linear_k_adapter_list", "linear_v_adapter_list"}) {
        std::vector<ModulePtr> l;
        for (int64_t i = 0; i < hybrids; ++i) l.push_back(i % mem == block_id ? adapter(ah, ah) : leaf("Identity"));
        attn->add(n, module_list(std::move(l)));
      }
    auto mlp = make("Zamba2MLP");
    mlp->add("gate_up_proj", linear(h, 2 * inter, bias));
    mlp->add("down_proj", linear(inter, h, bias));
    mlp->add("act_fn", leaf(act_class(c.s("hidden_act", "gelu"))));
    std::vector<ModulePtr> l;
    for (int64_t i = 0; i < hybrids; ++i) l.push_back(i % mem == block_id ? adapter(h, 2 * inter) : leaf("Identity"));
    mlp->add("gate_up_proj_adapter_list", module_list(std::move(l)));
    auto b = make("Zamba2AttentionDecoderLayer");
    b->add("self_attn", attn);
    b->add("feed_forward", mlp);
    b->add("input_layernorm", rms_norm("Zamba2RMSNorm", ah));
    b->add("pre_ff_layernorm", rms_norm("Zamba2RMSNorm", h));
    return b;
  };

  const std::string base = cls == "Zamba2Model" ? "" : "model.";
  std::vector<std::string> unique;  // the first num_mem_blocks hybrid layers' shared_transformer names
  std::set<std::string> present;
  int64_t seen = 0;
  std::vector<ModulePtr> layers;
  for (size_t i = 0; i < types.size(); ++i) {
    if (types[i] != "hybrid") {
      layers.push_back(mamba);
      continue;
    }
    const std::string name = base + "layers." + std::to_string(i) + ".shared_transformer";
    ModulePtr block = shared_block(static_cast<int64_t>(i) % mem);
    if (static_cast<int64_t>(unique.size()) < mem) {
      unique.push_back(name);
      param_paths(block, name, present);
    } else {
      block = tie_present(block, unique[(seen - mem) % mem], present);
    }
    ++seen;
    auto hy = make("Zamba2HybridLayer");
    hy->add("linear", linear(h, h, false));
    hy->add("mamba_decoder", mamba);
    hy->add("shared_transformer", block);
    layers.push_back(hy);
  }
  auto m = make("Zamba2Model");
  m->add("embed_tokens", embedding(vocab, h));
  m->add("layers", module_list(std::move(layers)));
  m->add("final_layernorm", rms_norm("Zamba2RMSNorm", h));
  if (c.b("use_mem_rope", false)) m->add("rotary_emb", rotary("Zamba2RotaryEmbedding", hd));
  const std::vector<std::string> no_split{"Zamba2HybridLayer", "Zamba2MambaDecoderLayer"};
  return heads::base_or_lm(cls, "Zamba2Model", "Zamba2ForCausalLM", m, "model", h, vocab,
                           heads::ties_embeddings(c, true), "model.embed_tokens.weight", no_split);
}

MEMFIT_FAMILY({"zamba2"}, "Zamba2", zamba2);

}  // namespace
}  // namespace memfit
