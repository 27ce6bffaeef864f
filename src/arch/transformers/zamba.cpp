// Zamba: transformers' modeling_zamba.py. Mamba layers (ZambaMambaMixer: multi-head selective scan with per-head
// x_proj / dt_proj weights) and, where layers_block_type says "hybrid", ZambaHybridLayer: one attention block
// (shared_transf: attention over 2 * hidden_size inputs, gated MLP, two norms) tied across all hybrid layers to the
// first one, a Linear, and the layer's own Mamba layer.
#include <algorithm>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/lm_head.h"
#include "arch/transformers/ssm.h"
#include "arch/registry.h"

namespace memfit {
namespace {
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

}  // namespace
}  // namespace memfit
