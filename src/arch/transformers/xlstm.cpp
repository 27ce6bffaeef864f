// xLSTM: transformers' modeling_xlstm.py (its own mLSTM implementation, used when the `xlstm` package is absent).
// Blocks of norm_mlstm, an mLSTM layer (q/k of qk_dim_factor * hidden, v and the output gate of v_dim_factor * hidden,
// input/forget gates per head with bias, a multi-head norm, out_proj; `weight_mode` "fused" packs them), norm_ffn and
// a gated FFN of hidden * ffn_proj_factor rounded up to ffn_round_up_to_multiple_of; embeddings and out_norm.
#include <cmath>

#include "arch/blocks.h"
#include "arch/transformers/heads.h"
#include "arch/registry.h"

namespace memfit {
namespace MEMFIT_TU {
using namespace blocks;

Model build(const Config& c, std::string_view cls) {
  if (cls != "xLSTMModel") heads::unsupported(cls);
  const int64_t h = c.i("hidden_size", 4096), heads = c.i("num_heads", 8);
  if (heads <= 0) throw ConfigError("`num_heads` must be positive (model_type `xlstm`)");
  const bool bias = c.b("use_bias", false), fused = c.s("weight_mode", "single") == "fused";
  const auto v = static_cast<int64_t>(static_cast<double>(h) * c.f("v_dim_factor", 1.0));
  const auto qk = static_cast<int64_t>(static_cast<double>(h) * c.f("qk_dim_factor", 0.5));
  const double m = static_cast<double>(c.i("ffn_round_up_to_multiple_of", 64));
  if (m <= 0) throw ConfigError("`ffn_round_up_to_multiple_of` must be positive (model_type `xlstm`)");
  // int(((x + m - 1) // m) * m), x = hidden_size * ffn_proj_factor (a float)
  const auto up = static_cast<int64_t>(std::floor((h * c.f("ffn_proj_factor", 2.667) + m - 1) / m) * m);
  auto norm = [&](int64_t d) {
    auto n = make("xLSTMRMSNorm");
    n->param("weight", {d});
    if (bias) n->param("bias", {d});
    return n;
  };
  auto layer = make("xLSTMLayer");
  if (!fused) {
    layer->add("q", linear(h, qk, bias));
    layer->add("k", linear(h, qk, bias));
    layer->add("v", linear(h, v, bias));
    layer->add("ogate_preact", linear(h, v, bias));
    layer->add("igate_preact", linear(h, heads, true));
    layer->add("fgate_preact", linear(h, heads, true));
  } else {
    layer->add("qkv_opreact", linear(h, 2 * qk + 2 * v, bias));
    layer->add("ifgate_preact", linear(h, 2 * heads, true));
  }
  layer->add("ogate_act_fn", leaf("Sigmoid"));
  layer->add("mlstm_backend", leaf("xLSTMBackend"));
  auto mh = norm(v);
  mh->cls = "xLSTMMultiHeadLayerNorm";
  layer->add("multihead_norm", mh);
  layer->add("out_proj", linear(v, h, bias));
  auto ffn = make("xLSTMFeedForward");
  if (!fused) {
    ffn->add("proj_up_gate", linear(h, up, bias));
    ffn->add("proj_up", linear(h, up, bias));
  } else {
    ffn->add("proj_up_gate_z", linear(h, 2 * up, bias));
  }
  ffn->add("proj_down", linear(up, h, bias));
  ffn->add("act_fn", leaf("SiLU"));
  auto block = make("xLSTMBlock");
  block->add("norm_mlstm", norm(h));
  block->add("mlstm_layer", layer);
  block->add("norm_ffn", norm(h));
  block->add("ffn", ffn);
  auto model = make("xLSTMModel");
  model->add("embeddings", embedding(c.i("vocab_size", 50304), c.i("embedding_dim", h)));
  model->add("blocks", repeat(block, checked_count(c.i("num_blocks", 32), "num_blocks")));
  auto out = make("xLSTMRMSNorm");
  out->param("weight", {h});
  model->add("out_norm", out);
  return {model, {"xLSTMBlock"}};
}

MEMFIT_FAMILY({"xlstm"}, "xLSTM", build, "xLSTMModel");

}  // namespace
}  // namespace memfit
