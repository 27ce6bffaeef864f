// OLMo-Hybrid: transformers' modeling_olmo_hybrid.py. layer_types picks, per layer, OLMo-3's attention layer
// (q/k norms over all heads, norms after attention and MLP) or a linear-attention layer: a gated DeltaNet
// (q/k/v/a/b/g/o projections, a depthwise conv over q, k and v, A_log, dt_bias, a gated o_norm per value head)
// with Llama's two norms. rotary_emb exists only when rope_parameters has a rope_theta.
#include "arch/transformers/decoder.h"
#include "arch/registry.h"
#include "arch/transformers/ssm.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  const std::string p = "OlmoHybrid";
  DecoderSpec s = read_decoder(c, p);
  s.qkv_bias = s.o_bias = c.b("attention_bias", false);
  std::vector<std::string> types = c.strings("layer_types");
  if (static_cast<int64_t>(types.size()) != s.layers) throw ConfigError("`layer_types` must list every layer");
  const int64_t kh = checked(c, "linear_num_key_heads", c.i("linear_num_key_heads", 16)),
                vh = checked(c, "linear_num_value_heads", c.i("linear_num_value_heads", 32)),
                kd = checked(c, "linear_key_head_dim", c.i("linear_key_head_dim", 128)),
                vd = checked(c, "linear_value_head_dim", c.i("linear_value_head_dim", 128));
  const int64_t key_dim = kh * kd, value_dim = vh * vd, kernel = c.i("linear_conv_kernel_dim", 4);

  auto attn = decoder_attention(s);
  attn->add("q_norm", rms_norm(p + "RMSNorm", s.heads * s.head_dim));
  attn->add("k_norm", rms_norm(p + "RMSNorm", s.kv_heads * s.head_dim));
  auto full = make(p + "AttentionDecoderLayer");
  full->add("self_attn", attn);
  full->add("mlp", decoder_mlp(s));
  full->add("post_attention_layernorm", rms_norm(p + "RMSNorm", s.hidden));
  full->add("post_feedforward_layernorm", rms_norm(p + "RMSNorm", s.hidden));

  auto dn = make(p + "GatedDeltaNet");
  dn->add("q_proj", linear(s.hidden, key_dim, false));
  dn->add("k_proj", linear(s.hidden, key_dim, false));
  dn->add("v_proj", linear(s.hidden, value_dim, false));
  dn->add("a_proj", linear(s.hidden, vh, false));
  dn->add("b_proj", linear(s.hidden, vh, false));
  dn->add("g_proj", linear(s.hidden, value_dim, false));
  dn->add("o_proj", linear(value_dim, s.hidden, false));
  dn->add("conv1d", ssm::depthwise_conv1d(2 * key_dim + value_dim, kernel, false));
  dn->param("A_log", {vh});
  dn->param("dt_bias", {vh});
  dn->add("o_norm", rms_norm(p + "RMSNormGated", vd));
  auto lin = make(p + "LinearAttentionDecoderLayer");
  lin->add("mlp", decoder_mlp(s));
  lin->add("input_layernorm", rms_norm(p + "RMSNorm", s.hidden));
  lin->add("post_attention_layernorm", rms_norm(p + "RMSNorm", s.hidden));
  lin->add("linear_attn", dn);

  s.layer = [types, full, lin](int64_t i) { return types[i] == "linear_attention" ? lin : full; };
  Model m = decoder_for(s, cls);
  ModulePtr text = m.root->cls == p + "Model" ? m.root : m.root->child("model");
  const Json& rp = c.raw().contains("rope_parameters") ? c.raw()["rope_parameters"] : Json();
  if (!rp.is_object() || !rp.contains("rope_theta") || rp["rope_theta"].is_null())
    std::erase_if(text->children, [](const auto& ch) { return ch.first == "rotary_emb"; });
  m.no_split = {p + "AttentionDecoderLayer", p + "LinearAttentionDecoderLayer"};
  return m;
}

MEMFIT_FAMILY({"olmo_hybrid"}, "OlmoHybrid", build);

}  // namespace
}  // namespace memfit
