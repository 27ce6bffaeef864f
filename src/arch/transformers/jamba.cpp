// Jamba: transformers' modeling_jamba.py. Mamba and attention decoder layers (one attention layer every
// attn_layer_period), each with a dense MLP or, every expert_layer_period, a sparse MoE (router + fused experts).
#include <cmath>

#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr jamba_model(const Config& c) {
  int64_t vocab = moe::count(c, {"vocab_size"}, 65536), h = moe::count(c, {"hidden_size"}, 4096);
  int64_t inter = moe::count(c, {"intermediate_size"}, 14336), layers = checked_count(moe::count(c, {"num_hidden_layers"}, 32, 0));
  int64_t heads = moe::count(c, {"num_attention_heads"}, 32), kv = moe::count(c, {"num_key_value_heads"}, heads);
  int64_t experts = moe::experts_count(c, {"num_experts"}, 16);
  int64_t attn_period = moe::count(c, {"attn_layer_period"}, 8), attn_offset = c.i("attn_layer_offset", 4);
  int64_t exp_period = moe::count(c, {"expert_layer_period"}, 2), exp_offset = c.i("expert_layer_offset", 1);
  std::string act = act_class(c.s("hidden_act", "silu"));

  ssm::MambaShape ms;
  ms.hidden = h;
  ms.inter = moe::count(c, {"mamba_expand"}, 2) * h;
  ms.state = moe::count(c, {"mamba_d_state"}, 16);
  ms.conv_kernel = moe::count(c, {"mamba_d_conv"}, 4);
  ms.dt_rank = c.raw().contains("mamba_dt_rank") && c.raw()["mamba_dt_rank"].is_number_integer()
                   ? moe::count(c, {"mamba_dt_rank"}, 0)
                   : (h + 15) / 16;  // "auto": ceil(hidden / 16)
  ms.conv_bias = c.b("mamba_conv_bias", true);
  ms.proj_bias = c.b("mamba_proj_bias", false);
  ms.act_cls = act;
  ms.norm_cls = "JambaRMSNorm";

  auto mlp = gated_mlp("JambaMLP", h, inter, false, act);
  auto sparse = make("JambaSparseMoeBlock");
  sparse->add("router", linear(h, experts, false));
  sparse->add("experts", moe::experts("JambaExperts", experts, h, inter, act));
  auto mixer = ssm::mamba_mixer("JambaMambaMixer", ms);
  auto attn = qkvo_attention("JambaAttention", {h, heads, kv, moe::dim(c, "head_dim", c.i("head_dim", h / heads))});

  // Four layer kinds: {mamba, attention} x {dense, sparse}, each one shared node.
  ModulePtr kinds[2][2];
  for (int is_attn = 0; is_attn < 2; ++is_attn)
    for (int is_sparse = 0; is_sparse < 2; ++is_sparse) {
      auto l = make(is_attn ? "JambaAttentionDecoderLayer" : "JambaMambaDecoderLayer");
      l->add(is_attn ? "self_attn" : "mamba", is_attn ? attn : mixer);
      l->add("feed_forward", is_sparse ? sparse : mlp);
      l->add("input_layernorm", rms_norm("JambaRMSNorm", h));
      l->add("pre_ff_layernorm", rms_norm("JambaRMSNorm", h));
      kinds[is_attn][is_sparse] = l;
    }
  std::vector<ModulePtr> ls;
  for (int64_t i = 0; i < layers; ++i)
    ls.push_back(kinds[i % attn_period == attn_offset][experts > 1 && i % exp_period == exp_offset]);

  auto m = make("JambaModel");
  m->add("embed_tokens", embedding(vocab, h));
  m->add("layers", module_list(std::move(ls)));
  m->add("final_layernorm", rms_norm("JambaRMSNorm", h));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"JambaAttentionDecoderLayer", "JambaMambaDecoderLayer"};
  Model m;
  if (cls == "JambaModel") {
    m = {jamba_model(c), no_split};
  } else if (cls == "JambaForCausalLM") {
    auto root = make("JambaForCausalLM");
    root->add("model", jamba_model(c));
    int64_t h = c.i("hidden_size", 4096), vocab = c.i("vocab_size", 65536);
    root->add("lm_head", heads::lm_head(h, vocab, heads::ties_embeddings(c, false), "model.embed_tokens.weight"));
    m = {root, no_split};
  } else {
    heads::unsupported(cls);
  }
  m.to_checkpoint = moe::split_experts();
  return m;
}

MEMFIT_FAMILY({"jamba"}, "Jamba", build);

}  // namespace
}  // namespace memfit
