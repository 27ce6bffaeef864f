// ZAYA (transformers' modeling_zaya.py): ZayaModel holds its own input_hidden_states_scale / _bias [hidden] next
// to embed_tokens, layers, norm and a RoPE table per layer type (partial_rotary_factor per type). Each layer: a
// compressed convolutional attention (self_attn: o_proj, qkv_proj = q_proj, k_proj, v_proj_current and
// v_proj_delayed of half the k/v width each, a depthwise and a grouped Conv1d over the q+k channels; qk_norm with a
// learned temperature per key/value head), an MoE block (router: down_proj to router_hidden_size, a scale from layer 1
// on, an MLP over num_experts + 1 classes with its RMSNorm, a float32 balancing_biases buffer; fused experts), two
// RMSNorms and two ZayaResidualScaling modules (four [hidden] vectors each).
#include <fmt/format.h>

#include "arch/transformers/heads.h"
#include "arch/transformers/media.h"
#include "arch/transformers/moe.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

ModulePtr residual_scaling(int64_t h) {
  auto m = make("ZayaResidualScaling");
  for (const char* n : {"hidden_states_scale", "hidden_states_bias", "residual_scale", "residual_bias"})
    m->param(n, {h});
  return m;
}

Model build(const Config& c, std::string_view cls) {
  Json with_inter = c.raw();  // ZAYA has no dense MLP: read_decoder's intermediate_size is the experts' width
  if (!with_inter.contains("intermediate_size")) with_inter["intermediate_size"] = c.i("moe_intermediate_size", 2048);
  DecoderSpec s = moe::read(Config(with_inter, c.model_type()), "Zaya");
  const bool bias = c.b("attention_bias", false);
  const int64_t experts = moe::experts_count(c, {"num_experts"}, 16);
  const int64_t moe_inter = moe::count(c, {"moe_intermediate_size"}, 2048);
  const int64_t rh = moe::count(c, {"router_hidden_size"}, 256);
  const int64_t t0 = moe::count(c, {"cca_time0"}, 2), t1 = moe::count(c, {"cca_time1"}, 2);
  media::divisible(c, s.heads, s.kv_heads, "num_attention_heads / num_key_value_heads");
  std::vector<std::string> types = c.strings("layer_types");
  if (types.empty()) types.assign(s.layers, "hybrid");
  if (static_cast<int64_t>(types.size()) != s.layers)
    throw ConfigError(fmt::format("`layer_types` lists {} layers, not {}", types.size(), s.layers));

  const int64_t q = s.heads * s.head_dim, kv = s.kv_heads * s.head_dim, ch = q + kv;
  auto cca = make("ZayaCCAProjection");
  cca->add("q_proj", linear(s.hidden, q, bias));
  cca->add("k_proj", linear(s.hidden, kv, bias));
  cca->add("v_proj_current", linear(s.hidden, kv / 2, bias));
  cca->add("v_proj_delayed", linear(s.hidden, kv / 2, bias));
  cca->add("conv_qk_depthwise", media::conv1d(ch, ch, t0, true, ch));
  cca->add("conv_qk_grouped", media::conv1d(ch, ch, t1, true, s.heads + s.kv_heads));
  auto qk_norm = make("ZayaQKNorm");
  qk_norm->param("temp", {s.kv_heads});
  auto attn = make("ZayaAttention");
  attn->add("o_proj", linear(q, s.hidden, bias));
  attn->add("qkv_proj", cca);
  attn->add("qk_norm", qk_norm);

  auto router_mlp = make("ZayaRouterMLP");
  router_mlp->add("norm", rms_norm("ZayaRMSNorm", rh));
  router_mlp->add("fc1", linear(rh, rh));
  router_mlp->add("fc2", linear(rh, rh));
  router_mlp->add("out_proj", linear(rh, experts + 1, false));
  router_mlp->add("act_fn", leaf("GELU"));
  auto layer = [&](bool eda) {
    auto router = make("ZayaRouter");
    router->add("down_proj", linear(s.hidden, rh));
    if (eda) router->param("router_states_scale", {rh});
    router->add("router_mlp", router_mlp);
    router->buffer("balancing_biases", {experts + 1}, DType::F32);
    auto block = make("ZayaSparseMoeBlock");
    block->add("gate", router);
    block->add("experts", moe::experts("ZayaExperts", experts, s.hidden, moe_inter, act_class(s.act)));
    auto l = make("ZayaDecoderLayer");
    l->add("self_attn", attn);
    l->add("mlp", block);
    l->add("input_layernorm", rms_norm("ZayaRMSNorm", s.hidden));
    l->add("post_attention_layernorm", rms_norm("ZayaRMSNorm", s.hidden));
    l->add("post_attention_residual_scale", residual_scaling(s.hidden));
    l->add("post_mlp_residual_scale", residual_scaling(s.hidden));
    return l;
  };
  auto first = layer(false), rest = layer(true);  // the router's scale (use_eda) exists from layer 1 on
  s.layer = [=](int64_t i) { return i == 0 ? first : rest; };
  s.rotary_emb = [&] { return rotary_per_layer_type(c, "ZayaRotaryEmbedding", s.head_dim, types); };
  auto m = decoder_model(s);
  m->param("input_hidden_states_scale", {s.hidden});
  m->param("input_hidden_states_bias", {s.hidden});
  if (cls == "ZayaModel") return Model{m, {"ZayaDecoderLayer"}, "transformers", moe::split_experts()};
  if (cls != "ZayaForCausalLM") heads::unsupported(cls);
  auto root = make("ZayaForCausalLM");
  root->add("model", m);
  const bool tied = c.b("tie_word_embeddings", true), head_bias = c.b("lm_head_bias", false);
  auto head = heads::lm_head(s.hidden, s.vocab, tied, "model.embed_tokens.weight");
  if (head_bias) head->param("bias", {s.vocab});
  root->add("lm_head", head);
  return Model{root, {"ZayaDecoderLayer"}, "transformers", moe::split_experts()};
}

MEMFIT_FAMILY({"zaya"}, "Zaya", build);

}  // namespace
}  // namespace memfit
