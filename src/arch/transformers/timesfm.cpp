// TimesFM and TimesFM 2.5: transformers' modeling_timesfm.py / modeling_timesfm2_5.py (TimesFmModel,
// TimesFm2_5Model). A residual MLP over each patch and its mask (input 2 * patch_length), then decoder layers whose
// attention carries a learned per-dimension `scaling` [head_dim]. TimesFM: q/k/v/o with biases, an MLP of
// gate_proj / down_proj / LayerNorm, one RMSNorm per layer, a frequency embedding and, optionally, sinusoidal
// positions (a persistent float32 inv_timescales [hidden / 2]). 2.5: bias-free projections (use_bias), per-head
// q/k RMSNorms, fc1/fc2, four RMSNorms per layer and a model-level RoPE.
#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr residual_block(const std::string& p, int64_t in, int64_t hidden, int64_t out, bool bias, std::string act) {
  auto m = make(p + "ResidualBlock");
  m->add("input_layer", linear(in, hidden, bias));
  m->add("activation", leaf(std::move(act)));
  m->add("output_layer", linear(hidden, out, bias));
  m->add("residual_layer", linear(in, out, bias));
  return m;
}

ModulePtr decoder_layer(const Config& c, const std::string& p, int64_t h, int64_t heads, int64_t hd) {
  bool v2 = p == "TimesFm2_5", bias = v2 ? c.b("use_bias", false) : true;
  bool attn_bias = v2 ? c.b("attention_bias", false) : true;
  int64_t inter = media::dim(c, "intermediate_size", 1280), kv = v2 ? media::dim(c, "num_key_value_heads", heads) : heads;
  auto attn = make(p + "Attention");
  attn->param("scaling", {hd});
  attn->add("q_proj", linear(h, heads * hd, attn_bias));
  attn->add("k_proj", linear(h, kv * hd, attn_bias));
  attn->add("v_proj", linear(h, kv * hd, attn_bias));
  attn->add("o_proj", linear(heads * hd, h, attn_bias));
  auto mlp = make(p + "MLP");
  auto l = make(p + "DecoderLayer");
  auto norm = [&](int64_t d) { return rms_norm(p + "RMSNorm", d); };
  l->add("self_attn", attn);
  if (v2) {
    attn->add("q_norm", norm(hd));
    attn->add("k_norm", norm(hd));
    mlp->add("activation_fn", leaf(act_class(c.s("activation", "swish"))));
    mlp->add("fc1", linear(h, inter, bias));
    mlp->add("fc2", linear(inter, h, bias));
    l->add("mlp", mlp);
    for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                          "post_feedforward_layernorm"})
      l->add(n, norm(h));
  } else {
    mlp->add("gate_proj", linear(h, inter));
    mlp->add("down_proj", linear(inter, h));
    mlp->add("layer_norm", layer_norm(h));
    l->add("mlp", mlp);
    l->add("input_layernorm", norm(h));
  }
  return l;
}

Model build(const Config& c, std::string_view cls, const std::string& p) {
  bool v2 = p == "TimesFm2_5";
  if (cls != p + "Model") heads::unsupported(cls);
  int64_t h = media::dim(c, "hidden_size", 1280), heads = media::dim(c, "num_attention_heads", 16);
  int64_t hd = media::dim(c, "head_dim", 80), patch = media::dim(c, "patch_length", 32);
  auto m = make(p + "Model");
  m->add("input_ff_layer", residual_block(p, 2 * patch, v2 ? h : media::dim(c, "intermediate_size", 1280), h, true,
                                          v2 ? act_class(c.s("activation", "swish")) : "SiLU"));
  if (!v2) m->add("freq_emb", embedding(media::dim(c, "freq_size", 3), h));
  m->add("layers", repeat(decoder_layer(c, p, h, heads, hd), media::count(c, "num_hidden_layers", v2 ? 20 : 50)));
  if (v2) {
    m->add("rotary_emb", rotary(p + "RotaryEmbedding", hd));
  } else if (c.b("use_positional_embedding", false)) {
    auto pos = make(p + "PositionalEmbedding");
    pos->buffer("inv_timescales", {h / 2}, DType::F32);
    m->add("position_emb", pos);
  }
  return {m, {p + "DecoderLayer"}};
}

MEMFIT_FAMILY({"timesfm"}, "TimesFm", [](const Config& c, std::string_view cls) { return build(c, cls, "TimesFm"); });
MEMFIT_FAMILY({"timesfm2_5"}, "TimesFm2_5",
              [](const Config& c, std::string_view cls) { return build(c, cls, "TimesFm2_5"); });

}  // namespace
}  // namespace memfit
