// Falcon-H1: transformers' modeling_falcon_h1.py. Every layer runs attention and a Mamba-2 mixer side by side
// (feed_forward, mamba, self_attn, input_layernorm, pre_ff_layernorm); each mixer also holds the non-persistent
// float32 mup_vector [1, 1, 2*d_ssm + 2*groups*state + heads] that FalconH1Model registers after building.
#include "arch/transformers/heads.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr falcon_h1_model(const Config& c, DecoderSpec& s) {
  s.prefix = "FalconH1";
  s.vocab = moe::count(c, {"vocab_size"}, 128000);
  s.hidden = moe::count(c, {"hidden_size"}, 4096);
  s.layers = moe::count(c, {"num_hidden_layers"}, 32);
  s.heads = moe::count(c, {"num_attention_heads"}, 32);
  s.kv_heads = moe::count(c, {"num_key_value_heads"}, 8);
  s.head_dim = moe::count(c, {"head_dim"}, s.hidden / s.heads);
  s.inter = moe::count(c, {"intermediate_size"}, 14336);
  s.act = c.s("hidden_act", "silu");
  s.tie_embeddings = heads::ties_embeddings(c, false);
  moe::check(c, s);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  s.mlp_bias = c.b("mlp_bias", false);

  ssm::Mamba2Shape ms;
  ms.hidden = s.hidden;
  ms.inter = c.has("mamba_d_ssm") || !c.raw().contains("mamba_d_ssm")
                 ? moe::count(c, {"mamba_d_ssm"}, 1024)
                 : moe::count(c, {"mamba_expand"}, 2) * s.hidden;  // explicit null: expand x hidden
  ms.heads = moe::count(c, {"mamba_n_heads"}, 128);
  ms.groups = moe::count(c, {"mamba_n_groups"}, 1);
  ms.state = moe::count(c, {"mamba_d_state"}, 256);
  ms.conv_kernel = moe::count(c, {"mamba_d_conv"}, 4);
  ms.conv_bias = c.b("mamba_conv_bias", true);
  ms.proj_bias = c.b("mamba_proj_bias", false);
  ms.out_bias = c.b("projectors_bias", false);
  ms.act_cls = act_class(s.act);
  if (c.b("mamba_rms_norm", false)) ms.norm_cls = "FalconH1RMSNormGated";
  auto mixer = ssm::mamba2_mixer("FalconH1Mixer", ms);
  mixer->buffer("mup_vector", {1, 1, 2 * ms.inter + 2 * ms.groups * ms.state + ms.heads}, DType::F32, false);

  auto layer = make("FalconH1DecoderLayer");
  layer->add("feed_forward", gated_mlp("FalconH1MLP", s.hidden, s.inter, s.mlp_bias, act_class(s.act)));
  layer->add("mamba", mixer);
  layer->add("self_attn", decoder_attention(s));
  layer->add("input_layernorm", rms_norm("FalconH1RMSNorm", s.hidden));
  layer->add("pre_ff_layernorm", rms_norm("FalconH1RMSNorm", s.hidden));
  auto m = make("FalconH1Model");
  m->add("embed_tokens", embedding(s.vocab, s.hidden));
  m->add("layers", repeat(layer, s.layers));
  m->add("final_layernorm", rms_norm("FalconH1RMSNorm", s.hidden));
  m->add("rotary_emb", rotary("FalconH1RotaryEmbedding", moe::rotary_dim(c, s.head_dim)));
  return m;
}

Model build(const Config& c, std::string_view cls) {
  std::vector<std::string> no_split{"FalconH1DecoderLayer"};
  DecoderSpec s;
  if (cls == "FalconH1Model") return {falcon_h1_model(c, s), no_split};
  if (cls != "FalconH1ForCausalLM") heads::unsupported(cls);
  auto root = make("FalconH1ForCausalLM");
  root->add("model", falcon_h1_model(c, s));
  root->add("lm_head", heads::lm_head(s.hidden, s.vocab, s.tie_embeddings, "model.embed_tokens.weight"));
  return {root, no_split};
}

MEMFIT_FAMILY({"falcon_h1"}, "FalconH1", build);

}  // namespace
}  // namespace memfit
