// Bamba: transformers' modeling_bamba.py. Layers are Mamba-2 mixers (BambaMixer with a gated RMS norm) except the
// indices in attn_layer_indices, which hold attention; each layer has a gated MLP (feed_forward) and two RMSNorms
// (input_layernorm, pre_ff_layernorm). Partial rotary embeddings (default factor 0.5).
#include <algorithm>

#include "arch/transformers/bamba.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
using namespace blocks;

ssm::Mamba2Shape bamba_mixer_shape(const Config& c, const DecoderSpec& s, std::string norm_cls) {
  ssm::Mamba2Shape ms;
  ms.hidden = s.hidden;
  ms.inter = moe::count(c, {"mamba_expand"}, 2) * s.hidden;
  ms.heads = moe::count(c, {"mamba_n_heads"}, 128);
  ms.groups = moe::count(c, {"mamba_n_groups"}, 1);
  ms.state = moe::count(c, {"mamba_d_state"}, 256);
  ms.conv_kernel = moe::count(c, {"mamba_d_conv"}, 4);
  ms.conv_bias = c.b("mamba_conv_bias", true);
  ms.proj_bias = ms.out_bias = c.b("mamba_proj_bias", false);
  ms.act_cls = act_class(s.act);
  ms.norm_cls = std::move(norm_cls);
  return ms;
}

namespace {

ModulePtr bamba_model(const Config& c, const DecoderSpec& s) {
  ssm::Mamba2Shape ms = bamba_mixer_shape(c, s, "BambaRMSNormGated");
  auto layer = [&](bool attention) {
    auto l = make("BambaDecoderLayer");
    l->add("feed_forward", gated_mlp("BambaMLP", s.hidden, s.inter, s.mlp_bias, act_class(s.act)));
    l->add("input_layernorm", rms_norm("BambaRMSNorm", s.hidden));
    l->add("pre_ff_layernorm", rms_norm("BambaRMSNorm", s.hidden));
    if (attention)
      l->add("self_attn", decoder_attention(s));
    else
      l->add("mamba", ssm::mamba2_mixer("BambaMixer", ms));
    return l;
  };
  auto mamba = layer(false), attn = layer(true);
  std::vector<int64_t> attn_at;
  if (c.has("attn_layer_indices")) attn_at = c.ints("attn_layer_indices");
  std::vector<ModulePtr> layers;
  for (int64_t i = 0; i < checked_count(s.layers); ++i)
    layers.push_back(std::find(attn_at.begin(), attn_at.end(), i) != attn_at.end() ? attn : mamba);

  auto m = make("BambaModel");
  m->add("embed_tokens", embedding(s.vocab, s.hidden));
  m->add("layers", module_list(std::move(layers)));
  m->add("final_layernorm", rms_norm("BambaRMSNorm", s.hidden));
  m->add("rotary_emb", rotary("BambaRotaryEmbedding", moe::rotary_dim(c, s.head_dim, 0.5)));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  DecoderSpec s = moe::read(c, "Bamba");
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);
  return heads::base_or_causal_lm(cls, "BambaModel", "BambaForCausalLM", bamba_model(c, s), s.hidden, s.vocab,
                                  s.tie_embeddings, {"BambaDecoderLayer"});
}

MEMFIT_FAMILY({"bamba"}, "Bamba", build);

}  // namespace
}  // namespace memfit
